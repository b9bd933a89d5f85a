# DP 1D: cheapest way up a staircase.
DIFFICULTY = "easy"
ENTRY_POINT = "cheapest_ascent"

PROMPT = r'''
def cheapest_ascent(fees: list[int]) -> int:
    """A staircase has steps 0..n-1; standing on step i costs fees[i] (paid each time
    you land on it). You start on the ground, below step 0, and may first land on
    step 0 or step 1. From step i you move to step i + 1 or i + 2. The top is just
    above step n-1: you reach it from step n-1 or step n-2. Return the minimum total
    fee to reach the top.

    Constraints: 0 <= n <= 10**5, 0 <= fees[i] <= 1000. With no steps the cost is 0,
    and with one step you may jump over it (ground -> top counts as a 2-step move).

    >>> cheapest_ascent([10, 15, 20])
    15
    >>> cheapest_ascent([1, 100, 1, 1, 1, 100, 1, 1, 100, 1])
    6
    """
'''

SOLUTION = r'''
    a = b = 0  # cheapest cost to stand just below step i-1 and i (ground counts as free)
    for f in fees:
        a, b = b, min(a, b) + f
    return min(a, b)
'''

TEST = r'''
def check(candidate):
    assert candidate([10, 15, 20]) == 15
    assert candidate([1, 100, 1, 1, 1, 100, 1, 1, 100, 1]) == 6
    assert candidate([]) == 0
    assert candidate([5]) == 0
    assert candidate([5, 3]) == 3
    assert candidate([0, 0, 0]) == 0
    assert candidate([1, 2, 3, 4]) == 4
    assert candidate([7, 1, 7, 1, 7]) == 2

    import itertools
    import random
    rng = random.Random(111)

    def slow(f):
        n = len(f)
        best = None
        # choose landing steps: a subset with no gap of 2 consecutive skipped steps
        for mask in range(1 << n):
            pos = -1
            ok = True
            for i in range(n):
                if mask >> i & 1:
                    if i - pos > 2:
                        ok = False
                        break
                    pos = i
            if ok and n - pos <= 2:
                cost = sum(f[i] for i in range(n) if mask >> i & 1)
                best = cost if best is None else min(best, cost)
        return best

    for _ in range(100):
        f = [rng.randint(0, 9) for _ in range(rng.randint(0, 10))]
        assert candidate(list(f)) == slow(f), f

    n = 100000
    assert candidate([1000] * n) == 1000 * (n // 2)
    assert candidate([0, 1000] * (n // 2)) == 0
    assert candidate([1000, 0] * (n // 2)) == 0
'''
