# Greedy: interval scheduling (earliest finish first).
DIFFICULTY = "medium"
ENTRY_POINT = "most_talks"

PROMPT = r'''
def most_talks(talks: list[list[int]]) -> int:
    """Each talk [start, end] occupies the half-open time interval [start, end). One
    person wants to attend as many complete talks as possible, never two at once (a
    talk ending at t and another starting at t are compatible). Return the maximum
    number of talks that person can attend.

    Constraints: 0 <= len(talks) <= 10**5, 0 <= start < end <= 10**9.

    >>> most_talks([[1, 3], [2, 5], [3, 6], [6, 7]])
    3
    """
'''

SOLUTION = r'''
    count = 0
    free_at = None
    for start, end in sorted(talks, key=lambda t: t[1]):
        if free_at is None or start >= free_at:
            count += 1
            free_at = end
    return count
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    count = 0
    free_at = None
    for start, end in sorted(talks):
        if free_at is None or start >= free_at:
            count += 1
            free_at = end
    return count
'''

TEST = r'''
def check(candidate):
    assert candidate([[1, 3], [2, 5], [3, 6], [6, 7]]) == 3
    assert candidate([]) == 0
    assert candidate([[0, 1]]) == 1
    assert candidate([[0, 10], [1, 2], [2, 3], [3, 4]]) == 3
    assert candidate([[1, 2], [1, 2], [1, 2]]) == 1
    assert candidate([[1, 2], [2, 3], [3, 4]]) == 3
    assert candidate([[5, 9], [1, 4], [4, 5]]) == 3
    assert candidate([[1, 100], [2, 3], [50, 60]]) == 2

    import itertools
    import random
    rng = random.Random(76)
    for _ in range(80):
        ts = []
        for _ in range(rng.randint(0, 7)):
            s = rng.randint(0, 10)
            ts.append([s, s + rng.randint(1, 4)])
        best = 0
        for r in range(len(ts), 0, -1):
            if any(all(x[1] <= y[0] for x, y in zip(c, c[1:])) for c in itertools.combinations(sorted(ts), r)):
                best = r
                break
        assert candidate([list(t) for t in ts]) == best, ts

    n = 50000
    chain = [[i, i + 1] for i in range(n)]
    rng.shuffle(chain)
    assert candidate(chain) == n
    nested = [[i, 2 * n - i] for i in range(n)]
    assert candidate(nested) == 1
    mix = [[2 * i, 2 * i + 3] for i in range(n)]
    assert candidate(mix) == n // 2
'''
