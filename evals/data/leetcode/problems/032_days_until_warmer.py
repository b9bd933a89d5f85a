# Monotonic stack.
DIFFICULTY = "medium"
ENTRY_POINT = "days_until_warmer"

PROMPT = r'''
def days_until_warmer(temps: list[int]) -> list[int]:
    """For each day i return the number of days you have to wait after day i until a
    strictly warmer temperature than temps[i] occurs; use 0 if no later day is
    warmer. The result has the same length as temps.

    Constraints: 0 <= len(temps) <= 10**5, -100 <= temps[i] <= 100.

    >>> days_until_warmer([73, 74, 75, 71, 69, 72, 76, 73])
    [1, 1, 4, 2, 1, 1, 0, 0]
    """
'''

SOLUTION = r'''
    out = [0] * len(temps)
    stack = []
    for i, t in enumerate(temps):
        while stack and temps[stack[-1]] < t:
            j = stack.pop()
            out[j] = i - j
        stack.append(i)
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    n = len(temps)
    out = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            if temps[j] > temps[i]:
                out[i] = j - i
                break
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([73, 74, 75, 71, 69, 72, 76, 73]) == [1, 1, 4, 2, 1, 1, 0, 0]
    assert candidate([]) == []
    assert candidate([50]) == [0]
    assert candidate([30, 30, 30]) == [0, 0, 0]
    assert candidate([30, 40, 50, 60]) == [1, 1, 1, 0]
    assert candidate([60, 50, 40]) == [0, 0, 0]
    assert candidate([-5, -10, -5, 0]) == [3, 1, 1, 0]
    assert candidate([5, 5, 6]) == [2, 1, 0]

    import random
    rng = random.Random(32)
    for _ in range(100):
        t = [rng.randint(-3, 3) for _ in range(rng.randint(0, 10))]
        slow = [next((j - i for j in range(i + 1, len(t)) if t[j] > t[i]), 0) for i in range(len(t))]
        assert candidate(list(t)) == slow, t

    n = 100000
    # a long non-increasing stretch followed by one hot day
    big = [100 - (i * 200) // n for i in range(n - 1)] + [101 - 1]
    big = [min(x, 99) for x in big[:-1]] + [100]
    got = candidate(big)
    assert got == [n - 1 - i for i in range(n - 1)] + [0]
'''
