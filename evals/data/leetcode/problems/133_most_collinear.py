# Hashing normalised directions: most points on one line.
DIFFICULTY = "hard"
ENTRY_POINT = "most_collinear"

PROMPT = r'''
def most_collinear(points: list[list[int]]) -> int:
    """points holds integer coordinates [x, y] (duplicates possible: equal points lie
    on every line through them). Return the largest number of points (counting
    duplicates separately) that lie on one straight line. Return 0 for no points.

    Constraints: 0 <= len(points) <= 400, -10**4 <= x, y <= 10**4.
    Floating-point slopes can be inexact; checking every triple is too slow.

    >>> most_collinear([[1, 1], [2, 2], [3, 3]])
    3
    >>> most_collinear([[1, 1], [3, 2], [5, 3], [4, 1], [2, 3], [1, 4]])
    4
    """
'''

SOLUTION = r'''
    from math import gcd
    n = len(points)
    if n <= 2:
        return n
    best = 0
    for i in range(n):
        x0, y0 = points[i]
        same = 1
        slopes = {}
        top = 0
        for j in range(i + 1, n):
            dx, dy = points[j][0] - x0, points[j][1] - y0
            if dx == 0 and dy == 0:
                same += 1
                continue
            g = gcd(dx, dy)
            dx, dy = dx // g, dy // g
            if dx < 0 or (dx == 0 and dy < 0):
                dx, dy = -dx, -dy
            c = slopes.get((dx, dy), 0) + 1
            slopes[(dx, dy)] = c
            if c > top:
                top = c
        if same + top > best:
            best = same + top
    return best
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # float slopes: distinct but nearly equal slopes collide, duplicates ignored
    n = len(points)
    if n <= 2:
        return n
    best = 1
    for i in range(n):
        slopes = {}
        for j in range(n):
            if i == j:
                continue
            dx = points[j][0] - points[i][0]
            dy = points[j][1] - points[i][1]
            key = float("inf") if dx == 0 else round(dy / dx, 6)
            slopes[key] = slopes.get(key, 0) + 1
        best = max([best] + [c + 1 for c in slopes.values()])
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([[1, 1], [2, 2], [3, 3]]) == 3
    assert candidate([[1, 1], [3, 2], [5, 3], [4, 1], [2, 3], [1, 4]]) == 4
    assert candidate([]) == 0
    assert candidate([[5, 5]]) == 1
    assert candidate([[1, 2], [3, 4]]) == 2
    assert candidate([[0, 0], [0, 0]]) == 2
    assert candidate([[0, 0], [0, 0], [1, 1]]) == 3
    assert candidate([[0, 0], [1, 0], [0, 1]]) == 2
    assert candidate([[2, 3], [2, 3], [2, 3]]) == 3
    assert candidate([[0, 0], [10000, 9999], [-10000, -9999], [10000, 10000]]) == 3
    assert candidate([[0, 0], [9999, 10000], [10000, 10001]]) == 2
    assert candidate([[0, 5], [0, -7], [0, 100], [1, 1]]) == 3

    import itertools
    import random
    rng = random.Random(133)

    def slow(pts):
        n = len(pts)
        if n <= 2:
            return n
        best = 0
        for i, j in itertools.combinations(range(n), 2):
            (x1, y1), (x2, y2) = pts[i], pts[j]
            if (x1, y1) == (x2, y2):
                cnt = sum(1 for p in pts if p == pts[i])
                best = max(best, cnt)
                continue
            cnt = sum(1 for x, y in pts if (x2 - x1) * (y - y1) == (y2 - y1) * (x - x1))
            best = max(best, cnt)
        return best

    for _ in range(80):
        pts = [[rng.randint(-3, 3), rng.randint(-3, 3)] for _ in range(rng.randint(0, 8))]
        assert candidate([list(p) for p in pts]) == slow(pts), pts

    line = [[3 * t - 5000, -7 * t + 1234] for t in range(150)]
    noise = [[rng.randint(-10**4, 10**4), rng.randint(-10**4, 10**4)] for _ in range(250)]
    pts = line + noise
    rng.shuffle(pts)
    assert candidate(pts) == 150
    grid = [[x, y] for x in range(20) for y in range(20)]
    assert candidate(grid) == 20
'''
