# DP 1D: counting paths.
DIFFICULTY = "easy"
ENTRY_POINT = "stair_paths"

PROMPT = r'''
def stair_paths(n: int) -> int:
    """You climb a staircase of n steps, taking 1, 2 or 3 steps at a time. Return
    the exact number of distinct step sequences that reach step n exactly from the
    ground (step 0). For n == 0 there is exactly one (empty) sequence.

    Constraints: 0 <= n <= 400. The answer can be huge: return the exact integer.

    >>> stair_paths(4)
    7
    >>> stair_paths(0)
    1
    """
'''

SOLUTION = r'''
    a, b, c = 0, 0, 1  # ways(i-2), ways(i-1), ways(i) for i = 0
    for _ in range(n):
        a, b, c = b, c, a + b + c
    return c
'''

TEST = r'''
def check(candidate):
    expect = [1, 1, 2, 4, 7, 13, 24, 44, 81, 149, 274]
    for n, e in enumerate(expect):
        assert candidate(n) == e, n
    w = [1, 1, 2]
    for i in range(3, 401):
        w.append(w[-1] + w[-2] + w[-3])
    assert candidate(37) == w[37]
    assert candidate(250) == w[250]
    assert candidate(400) == w[400]
'''
