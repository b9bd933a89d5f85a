# Bit manipulation: popcounts by DP.
DIFFICULTY = "easy"
ENTRY_POINT = "bit_counts"

PROMPT = r'''
def bit_counts(n: int) -> list[int]:
    """Return a list of length n + 1 whose i-th element is the number of 1 bits in
    the binary representation of i, for i = 0..n.

    Constraints: 0 <= n <= 10**5.

    >>> bit_counts(5)
    [0, 1, 1, 2, 1, 2]
    """
'''

SOLUTION = r'''
    out = [0] * (n + 1)
    for i in range(1, n + 1):
        out[i] = out[i >> 1] + (i & 1)
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate(5) == [0, 1, 1, 2, 1, 2]
    assert candidate(0) == [0]
    assert candidate(1) == [0, 1]
    assert candidate(2) == [0, 1, 1]
    assert candidate(8) == [0, 1, 1, 2, 1, 2, 2, 3, 1]
    n = 100000
    assert candidate(n) == [bin(i).count("1") for i in range(n + 1)]
'''
