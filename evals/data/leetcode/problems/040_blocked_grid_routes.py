# DP 2D: lattice paths around obstacles.
DIFFICULTY = "medium"
ENTRY_POINT = "blocked_grid_routes"

PROMPT = r'''
def blocked_grid_routes(grid: list[str]) -> int:
    """grid is a rectangle of '.' (free) and '#' (blocked) cells given as equal-length
    strings. A robot starts in the top-left cell and wants to reach the bottom-right
    cell, moving only one cell right or one cell down at a time and never entering a
    blocked cell. Return the exact number of distinct routes (0 if the start or the
    target is blocked or unreachable).

    Constraints: 1 <= rows, cols <= 120. The count can be huge: return it exactly.

    >>> blocked_grid_routes(["...", ".#.", "..."])
    2
    >>> blocked_grid_routes(["#."])
    0
    """
'''

SOLUTION = r'''
    cols = len(grid[0])
    ways = [0] * cols
    ways[0] = 1
    for row in grid:
        for c in range(cols):
            if row[c] == "#":
                ways[c] = 0
            elif c:
                ways[c] += ways[c - 1]
    return ways[-1]
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    rows, cols = len(grid), len(grid[0])

    def go(r, c):
        if r >= rows or c >= cols or grid[r][c] == "#":
            return 0
        if r == rows - 1 and c == cols - 1:
            return 1
        return go(r + 1, c) + go(r, c + 1)

    return go(0, 0)
'''

TEST = r'''
def check(candidate):
    import math
    assert candidate(["...", ".#.", "..."]) == 2
    assert candidate(["#."]) == 0
    assert candidate(["."]) == 1
    assert candidate(["#"]) == 0
    assert candidate(["..", ".#"]) == 0
    assert candidate(["...."]) == 1
    assert candidate([".", ".", "."]) == 1
    assert candidate(["..", ".."]) == 2
    assert candidate([".#", "#."]) == 0
    assert candidate(["...", "...", "..."]) == 6
    assert candidate(["....", ".##.", "...."]) == 2
    assert candidate(["." * 120] * 120) == math.comb(238, 119)
    g = ["".join("#" if (r, c) == (60, 60) else "." for c in range(120)) for r in range(120)]
    assert candidate(g) == math.comb(238, 119) - math.comb(120, 60) * math.comb(118, 59)
    g2 = ["." * 120] * 119 + ["." * 119 + "#"]
    assert candidate(g2) == 0
    g3 = ["".join("#" if (r * 31 + c * 17) % 23 == 0 and 0 < r < 119 else "." for c in range(120)) for r in range(120)]
    ways = [[0] * 121 for _ in range(121)]
    for r in range(120):
        for c in range(120):
            if g3[r][c] == ".":
                ways[r + 1][c + 1] = 1 if r == c == 0 else ways[r][c + 1] + ways[r + 1][c]
    assert candidate(g3) == ways[120][120]
'''
