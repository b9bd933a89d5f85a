# Two pointers over two sorted interval lists.
DIFFICULTY = "medium"
ENTRY_POINT = "schedule_overlap"

PROMPT = r'''
def schedule_overlap(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    """a and b are two people's busy times, each a list of closed intervals [s, e]
    (s <= e) sorted by start and pairwise disjoint within the same list (they do not
    even touch). Return the times when both are busy: the intersections of an interval
    of a with an interval of b, as closed intervals sorted by start. An intersection
    may be a single point [t, t].

    Constraints: 0 <= len(a), len(b) <= 10**5, 0 <= s <= e <= 10**9.

    >>> schedule_overlap([[0, 2], [5, 10], [13, 23], [24, 25]], [[1, 5], [8, 12], [15, 24], [25, 26]])
    [[1, 2], [5, 5], [8, 10], [15, 23], [24, 24], [25, 25]]
    """
'''

SOLUTION = r'''
    i = j = 0
    out = []
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo <= hi:
            out.append([lo, hi])
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            lo, hi = max(s1, s2), min(e1, e2)
            if lo <= hi:
                out.append([lo, hi])
    out.sort()
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([[0, 2], [5, 10], [13, 23], [24, 25]], [[1, 5], [8, 12], [15, 24], [25, 26]]) == [
        [1, 2], [5, 5], [8, 10], [15, 23], [24, 24], [25, 25]]
    assert candidate([], [[1, 2]]) == []
    assert candidate([[1, 2]], []) == []
    assert candidate([[1, 3]], [[4, 6]]) == []
    assert candidate([[1, 3]], [[3, 6]]) == [[3, 3]]
    assert candidate([[1, 10]], [[2, 3], [5, 6], [8, 12]]) == [[2, 3], [5, 6], [8, 10]]
    assert candidate([[5, 5]], [[5, 5]]) == [[5, 5]]
    assert candidate([[0, 0], [2, 2]], [[0, 2]]) == [[0, 0], [2, 2]]

    import random
    rng = random.Random(75)

    def gen(k, span):
        pts = sorted(rng.sample(range(span), 2 * k))
        return [[pts[2 * i], pts[2 * i + 1] - rng.randint(0, 1) * (pts[2 * i + 1] > pts[2 * i])] for i in range(k)]

    for _ in range(100):
        x, y = gen(rng.randint(0, 4), 30), gen(rng.randint(0, 4), 30)
        both = sorted(t for t in range(30) if any(s <= t <= e for s, e in x) and any(s <= t <= e for s, e in y))
        exp = []
        for t in both:
            if exp and t == exp[-1][1] + 1 and any(s <= t - 1 and t <= e for s, e in x) and any(s <= t - 1 and t <= e for s, e in y):
                exp[-1][1] = t
            else:
                exp.append([t, t])
        assert candidate([list(i) for i in x], [list(i) for i in y]) == exp, (x, y)

    n = 50000
    A = [[10 * i, 10 * i + 4] for i in range(n)]
    B = [[10 * i + 4, 10 * i + 12] for i in range(n)]
    got = candidate(A, B)
    exp = []
    for i in range(n):
        exp.append([10 * i + 4, 10 * i + 4])
        if i + 1 < n:
            exp.append([10 * i + 10, 10 * i + 12])
    assert got == exp
'''
