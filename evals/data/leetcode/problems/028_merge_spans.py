# Sorting: merge overlapping closed intervals.
DIFFICULTY = "medium"
ENTRY_POINT = "merge_spans"

PROMPT = r'''
def merge_spans(spans: list[list[int]]) -> list[list[int]]:
    """Each span [a, b] (a <= b) is the closed interval of integers a..b. Merge every
    group of spans that overlap or touch (two spans touch when one ends exactly where
    the other starts, e.g. [1, 3] and [3, 5]; [1, 3] and [4, 5] stay separate) and
    return the merged spans sorted by start. The input is in arbitrary order; do not
    modify it.

    Constraints: 0 <= len(spans) <= 10**5, -10**9 <= a <= b <= 10**9.

    >>> merge_spans([[8, 10], [1, 3], [2, 6], [15, 18], [18, 20]])
    [[1, 6], [8, 10], [15, 20]]
    """
'''

SOLUTION = r'''
    out = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1][1] = b
        else:
            out.append([a, b])
    return out
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    out = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = b
        else:
            out.append([a, b])
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([[8, 10], [1, 3], [2, 6], [15, 18], [18, 20]]) == [[1, 6], [8, 10], [15, 20]]
    assert candidate([]) == []
    assert candidate([[5, 5]]) == [[5, 5]]
    assert candidate([[1, 3], [4, 5]]) == [[1, 3], [4, 5]]
    assert candidate([[1, 3], [3, 5]]) == [[1, 5]]
    assert candidate([[1, 10], [2, 3], [4, 5]]) == [[1, 10]]
    assert candidate([[2, 3], [2, 3], [2, 3]]) == [[2, 3]]
    assert candidate([[-5, -1], [-1, 0], [2, 2]]) == [[-5, 0], [2, 2]]
    assert candidate([[1, 4], [0, 0]]) == [[0, 0], [1, 4]]
    spans = [[3, 4], [1, 2]]
    assert candidate(spans) == [[1, 2], [3, 4]] and spans == [[3, 4], [1, 2]]

    import random
    rng = random.Random(28)
    for _ in range(100):
        sp = []
        for _ in range(rng.randint(0, 8)):
            a = rng.randint(0, 20)
            sp.append([a, a + rng.randint(0, 4)])
        cover = set()
        for a, b in sp:
            cover.update(x * 2 for x in range(a, b + 1))
            cover.update(x * 2 + 1 for x in range(a, b))
        pts = sorted(cover)
        expect = []
        for p in pts:
            if expect and p == expect[-1][1] + 1:
                expect[-1][1] = p
            else:
                expect.append([p, p])
        expect = [[a // 2, b // 2] for a, b in expect]
        assert candidate([list(s) for s in sp]) == expect, sp

    n = 100000
    big = [[i * 10, i * 10 + 5] for i in range(n)]
    big.reverse()
    big.append([-10**9, -10**9 + 1])
    big.append([35, 10**9])
    got = candidate(big)
    assert got == [[-10**9, -10**9 + 1], [0, 5], [10, 15], [20, 25], [30, 10**9]]
    big2 = [[i, i + 1] for i in range(0, 2 * n, 3)] + [[i + 1, i + 2] for i in range(0, 2 * n, 3)]
    assert candidate(big2) == [[i, i + 2] for i in range(0, 2 * n, 3)]
'''
