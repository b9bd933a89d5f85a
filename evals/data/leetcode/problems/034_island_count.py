# Grid BFS/DFS: count 4-connected components.
DIFFICULTY = "medium"
ENTRY_POINT = "island_count"

PROMPT = r'''
def island_count(grid: list[str]) -> int:
    """grid is a rectangular map given as equal-length strings of '#' (land) and
    '.' (water). An island is a maximal group of land cells connected through
    horizontal or vertical neighbours (diagonal contact does not connect). Return the
    number of islands. An empty grid (no rows) has 0 islands.

    Constraints: 0 <= rows, cols <= 300. Islands can be long and winding (a single
    island may contain every land cell), so deep recursion is not safe.

    >>> island_count(["##..", "#..#", "..##", "#..."])
    3
    """
'''

SOLUTION = r'''
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    seen = [[False] * cols for _ in range(rows)]
    count = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "#" and not seen[r][c]:
                count += 1
                seen[r][c] = True
                stack = [(r, c)]
                while stack:
                    y, x = stack.pop()
                    for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                        if 0 <= ny < rows and 0 <= nx < cols and not seen[ny][nx] and grid[ny][nx] == "#":
                            seen[ny][nx] = True
                            stack.append((ny, nx))
    return count
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    seen = set()
    count = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "#" and (r, c) not in seen:
                count += 1
                seen.add((r, c))
                stack = [(r, c)]
                while stack:
                    y, x = stack.pop()
                    for dy in (-1, 0, 1):
                        for dx in (-1, 0, 1):
                            ny, nx = y + dy, x + dx
                            if 0 <= ny < rows and 0 <= nx < cols and (ny, nx) not in seen and grid[ny][nx] == "#":
                                seen.add((ny, nx))
                                stack.append((ny, nx))
    return count
'''

TEST = r'''
def check(candidate):
    assert candidate(["##..", "#..#", "..##", "#..."]) == 3
    assert candidate([]) == 0
    assert candidate([""]) == 0
    assert candidate(["."]) == 0
    assert candidate(["#"]) == 1
    assert candidate(["#.#", ".#.", "#.#"]) == 5
    assert candidate(["###", "#.#", "###"]) == 1
    assert candidate(["#.#.#"]) == 3
    assert candidate(["#", "#", ".", "#"]) == 2
    # 2x2 blocks separated by water lines: (300 / 3) ** 2 islands
    blocks = ["".join("#" if r % 3 != 2 and c % 3 != 2 else "." for c in range(300)) for r in range(300)]
    assert candidate(blocks) == 10000
    # one serpentine island covering half the grid: very deep for recursive DFS
    snake = []
    for r in range(300):
        if r % 2 == 0:
            snake.append("#" * 300)
        elif r % 4 == 1:
            snake.append("." * 299 + "#")
        else:
            snake.append("#" + "." * 299)
    assert candidate(snake) == 1
    holes = ["".join("." if (r * 7 + c * 13) % 11 == 0 else "#" for c in range(300)) for r in range(300)]
    assert candidate(holes) == 1
'''
