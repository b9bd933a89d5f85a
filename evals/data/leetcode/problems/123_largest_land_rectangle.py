# Histogram per row + monotonic stack: maximal rectangle of ones.
DIFFICULTY = "hard"
ENTRY_POINT = "largest_land_rectangle"

PROMPT = r'''
def largest_land_rectangle(grid: list[str]) -> int:
    """grid is a rectangle of '1' (land) and '0' (water) characters given as
    equal-length strings. Return the area of the largest axis-aligned rectangle that
    contains only land (0 if there is none, or if the grid has no rows or columns).

    Constraints: 0 <= rows, cols <= 200. Checking every rectangle is far too slow.

    >>> largest_land_rectangle(["10100", "10111", "11111", "10010"])
    6
    """
'''

SOLUTION = r'''
    if not grid or not grid[0]:
        return 0
    cols = len(grid[0])
    heights = [0] * (cols + 1)  # sentinel 0 at the end
    best = 0
    for row in grid:
        for c in range(cols):
            heights[c] = heights[c] + 1 if row[c] == "1" else 0
        stack = []
        for c, h in enumerate(heights):
            while stack and heights[stack[-1]] >= h:
                top = stack.pop()
                left = stack[-1] + 1 if stack else 0
                area = heights[top] * (c - left)
                if area > best:
                    best = area
            stack.append(c)
    return best
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # only considers rectangles that are full rows or full columns of runs
    if not grid or not grid[0]:
        return 0
    best = 0
    for row in grid:
        best = max([best] + [len(run) for run in row.split("0")])
    for col in zip(*grid):
        best = max([best] + [len(run) for run in "".join(col).split("0")])
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate(["10100", "10111", "11111", "10010"]) == 6
    assert candidate([]) == 0
    assert candidate([""]) == 0
    assert candidate(["0"]) == 0
    assert candidate(["1"]) == 1
    assert candidate(["11", "11"]) == 4
    assert candidate(["01", "10"]) == 1
    assert candidate(["111", "011", "011"]) == 6
    assert candidate(["0110", "1111", "0110"]) == 6

    import random
    rng = random.Random(123)

    def slow(g):
        rows = len(g)
        cols = len(g[0]) if rows else 0
        best = 0
        for r1 in range(rows):
            for r2 in range(r1, rows):
                for c1 in range(cols):
                    for c2 in range(c1, cols):
                        if all(g[r][c] == "1" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)):
                            best = max(best, (r2 - r1 + 1) * (c2 - c1 + 1))
        return best

    for _ in range(60):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        g = ["".join(rng.choice("110") for _ in range(cols)) for _ in range(rows)]
        assert candidate(g) == slow(g), g

    assert candidate(["1" * 200] * 200) == 40000
    cross = ["1" * 200 if r == 100 else "0" * 100 + "1" + "0" * 99 for r in range(200)]
    assert candidate(cross) == 200
    big = ["".join("0" if (r * 13 + c * 7) % 29 == 0 else "1" for c in range(200)) for r in range(200)]
    assert candidate(big) == 54
'''
