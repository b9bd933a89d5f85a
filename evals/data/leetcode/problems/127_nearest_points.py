# Heap / partial sort with a deterministic tie-break.
DIFFICULTY = "medium"
ENTRY_POINT = "nearest_points"

PROMPT = r'''
def nearest_points(points: list[list[int]], k: int) -> list[list[int]]:
    """Return the k points closest to the origin (0, 0) by Euclidean distance, ordered
    from closest to farthest. Points at equal distance are ordered by x, then by y
    (ascending). Duplicate points are kept as separate entries.

    Constraints: 0 <= k <= len(points) <= 10**5, -10**4 <= x, y <= 10**4.

    >>> nearest_points([[1, 3], [-2, 2], [2, -2]], 2)
    [[-2, 2], [2, -2]]
    """
'''

SOLUTION = r'''
    import heapq
    best = heapq.nsmallest(k, points, key=lambda p: (p[0] * p[0] + p[1] * p[1], p[0], p[1]))
    return [list(p) for p in best]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    import math
    return sorted(points, key=lambda p: math.hypot(p[0], p[1]))[:k]
'''

TEST = r'''
def check(candidate):
    assert candidate([[1, 3], [-2, 2], [2, -2]], 2) == [[-2, 2], [2, -2]]
    assert candidate([], 0) == []
    assert candidate([[5, 5]], 0) == []
    assert candidate([[5, 5]], 1) == [[5, 5]]
    assert candidate([[3, 3], [5, -1], [-2, 4]], 2) == [[3, 3], [-2, 4]]
    assert candidate([[0, 1], [1, 0], [0, -1], [-1, 0]], 4) == [[-1, 0], [0, -1], [0, 1], [1, 0]]
    assert candidate([[2, 2], [2, 2], [1, 1]], 3) == [[1, 1], [2, 2], [2, 2]]
    assert candidate([[0, 0], [10**4, 10**4]], 1) == [[0, 0]]

    import random
    rng = random.Random(127)
    for _ in range(100):
        pts = [[rng.randint(-3, 3), rng.randint(-3, 3)] for _ in range(rng.randint(0, 10))]
        k = rng.randint(0, len(pts))
        exp = sorted(pts, key=lambda p: (p[0] ** 2 + p[1] ** 2, p[0], p[1]))[:k]
        assert candidate([list(p) for p in pts], k) == exp, (pts, k)

    n = 50000
    pts = [[rng.randint(-10**4, 10**4), rng.randint(-10**4, 10**4)] for _ in range(n)]
    exp = sorted(pts, key=lambda p: (p[0] ** 2 + p[1] ** 2, p[0], p[1]))
    assert candidate([list(p) for p in pts], 100) == exp[:100]
    ring = [[x, y] for x in range(-50, 51) for y in range(-50, 51) if x * x + y * y == 625]
    assert candidate(ring + [[0, 26]], len(ring)) == sorted(ring)
'''
