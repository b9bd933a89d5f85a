# Multi-source BFS on a grid.
DIFFICULTY = "medium"
ENTRY_POINT = "spreading_mold"

PROMPT = r'''
def spreading_mold(grid: list[list[int]]) -> int:
    """grid is a rectangle of cells: 0 = empty, 1 = fresh bread, 2 = moldy bread.
    Every minute, each fresh cell that is horizontally or vertically adjacent to a
    moldy cell becomes moldy. Return the number of minutes until no fresh cell
    remains, 0 if there is no fresh cell at the start, or -1 if some fresh cell never
    becomes moldy. Do not modify grid.

    Constraints: 1 <= rows, cols <= 300.

    >>> spreading_mold([[2, 1, 1], [1, 1, 0], [0, 1, 1]])
    4
    >>> spreading_mold([[2, 1, 1], [0, 1, 1], [1, 0, 1]])
    -1
    """
'''

SOLUTION = r'''
    rows, cols = len(grid), len(grid[0])
    state = [row[:] for row in grid]
    frontier = []
    fresh = 0
    for r in range(rows):
        for c in range(cols):
            if state[r][c] == 2:
                frontier.append((r, c))
            elif state[r][c] == 1:
                fresh += 1
    minutes = 0
    while frontier and fresh:
        nxt = []
        for r, c in frontier:
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols and state[nr][nc] == 1:
                    state[nr][nc] = 2
                    fresh -= 1
                    nxt.append((nr, nc))
        frontier = nxt
        minutes += 1
    return -1 if fresh else minutes
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    rows, cols = len(grid), len(grid[0])
    state = [row[:] for row in grid]
    minutes = 0
    while True:
        changed = []
        for r in range(rows):
            for c in range(cols):
                if state[r][c] == 1:
                    for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                        if 0 <= nr < rows and 0 <= nc < cols and state[nr][nc] == 2:
                            changed.append((r, c))
                            break
        if not changed:
            break
        for r, c in changed:
            state[r][c] = 2
        minutes += 1
    if any(1 in row for row in state):
        return -1
    return minutes
'''

TEST = r'''
def check(candidate):
    assert candidate([[2, 1, 1], [1, 1, 0], [0, 1, 1]]) == 4
    assert candidate([[2, 1, 1], [0, 1, 1], [1, 0, 1]]) == -1
    assert candidate([[0, 2]]) == 0
    assert candidate([[0]]) == 0
    assert candidate([[1]]) == -1
    assert candidate([[2]]) == 0
    assert candidate([[2, 1, 0, 1]]) == -1
    assert candidate([[2, 1, 1, 1, 2]]) == 2
    assert candidate([[1], [1], [2], [1]]) == 2
    g = [[2, 1], [1, 1]]
    assert candidate(g) == 2 and g == [[2, 1], [1, 1]]
    # serpentine corridor: the mold needs ~45,000 minutes to walk it
    rows = cols = 300
    snake = []
    for r in range(rows):
        if r % 2 == 0:
            snake.append([1] * cols)
        elif r % 4 == 1:
            snake.append([0] * (cols - 1) + [1])
        else:
            snake.append([1] + [0] * (cols - 1))
    snake[0][0] = 2
    assert candidate(snake) == 150 * 300 + 150 - 1
    snake[298][150] = 0
    assert candidate(snake) == -1
    full = [[1] * 300 for _ in range(300)]
    full[150][150] = 2
    assert candidate(full) == 300
'''
