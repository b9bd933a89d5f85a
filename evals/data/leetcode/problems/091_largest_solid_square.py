# DP 2D: largest all-ones square.
DIFFICULTY = "medium"
ENTRY_POINT = "largest_solid_square"

PROMPT = r'''
def largest_solid_square(grid: list[str]) -> int:
    """grid is a rectangle of '1' and '0' characters given as equal-length strings.
    Return the area of the largest axis-aligned square made only of '1' cells
    (0 if there is no '1', or if grid has no rows or no columns).

    Constraints: 0 <= rows, cols <= 300.

    >>> largest_solid_square(["10100", "10111", "11111", "10010"])
    4
    """
'''

SOLUTION = r'''
    if not grid or not grid[0]:
        return 0
    cols = len(grid[0])
    prev = [0] * (cols + 1)
    best = 0
    for row in grid:
        cur = [0] * (cols + 1)
        for c in range(cols):
            if row[c] == "1":
                v = min(prev[c], prev[c + 1], cur[c]) + 1
                cur[c + 1] = v
                if v > best:
                    best = v
        prev = cur
    return best * best
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # forgets the diagonal neighbour
    if not grid or not grid[0]:
        return 0
    cols = len(grid[0])
    prev = [0] * (cols + 1)
    best = 0
    for row in grid:
        cur = [0] * (cols + 1)
        for c in range(cols):
            if row[c] == "1":
                cur[c + 1] = min(prev[c + 1], cur[c]) + 1
                best = max(best, cur[c + 1])
        prev = cur
    return best * best
'''

TEST = r'''
def check(candidate):
    assert candidate(["10100", "10111", "11111", "10010"]) == 4
    assert candidate([]) == 0
    assert candidate([""]) == 0
    assert candidate(["0"]) == 0
    assert candidate(["1"]) == 1
    assert candidate(["01", "10"]) == 1
    assert candidate(["11", "11"]) == 4
    assert candidate(["111", "111", "110"]) == 4
    assert candidate(["1111"]) == 1
    assert candidate(["11110", "11110", "11110", "11110"]) == 16

    import random
    rng = random.Random(91)

    def slow(g):
        rows = len(g)
        cols = len(g[0]) if rows else 0
        best = 0
        for r in range(rows):
            for c in range(cols):
                for s in range(1, min(rows - r, cols - c) + 1):
                    if all(g[y][x] == "1" for y in range(r, r + s) for x in range(c, c + s)):
                        best = max(best, s)
        return best * best

    for _ in range(60):
        rows, cols = rng.randint(1, 6), rng.randint(1, 6)
        g = ["".join(rng.choice("1110") for _ in range(cols)) for _ in range(rows)]
        assert candidate(g) == slow(g), g

    assert candidate(["1" * 300] * 300) == 90000
    holes = ["".join("0" if (r * 31 + c * 17) % 97 == 0 else "1" for c in range(300)) for r in range(300)]
    assert candidate(holes) == 144
'''
