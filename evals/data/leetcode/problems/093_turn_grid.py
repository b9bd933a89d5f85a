# In-place matrix rotation.
DIFFICULTY = "medium"
ENTRY_POINT = "turn_grid"

PROMPT = r'''
def turn_grid(grid: list[list[int]]) -> None:
    """Rotate the square matrix grid by 90 degrees clockwise IN PLACE (modify the
    given row lists; do not replace them with new lists) and return None. After the
    call, the first row holds what was the first column, read from bottom to top.

    Constraints: 0 <= n <= 500 for an n x n grid.

    >>> g = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    >>> turn_grid(g)
    >>> g
    [[7, 4, 1], [8, 5, 2], [9, 6, 3]]
    """
'''

SOLUTION = r'''
    n = len(grid)
    for i in range(n):
        row = grid[i]
        for j in range(i + 1, n):
            row[j], grid[j][i] = grid[j][i], row[j]
    for row in grid:
        row.reverse()
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    n = len(grid)
    for i in range(n):
        row = grid[i]
        for j in range(i + 1, n):
            row[j], grid[j][i] = grid[j][i], row[j]
    grid.reverse()
'''

TEST = r'''
def check(candidate):
    def run(g):
        rows = list(g)
        assert candidate(g) is None
        assert all(a is b for a, b in zip(rows, g)), "rows must be modified in place"
        return g

    assert run([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == [[7, 4, 1], [8, 5, 2], [9, 6, 3]]
    assert run([]) == []
    assert run([[5]]) == [[5]]
    assert run([[1, 2], [3, 4]]) == [[3, 1], [4, 2]]
    assert run([[5, 1, 9, 11], [2, 4, 8, 10], [13, 3, 6, 7], [15, 14, 12, 16]]) == [
        [15, 13, 2, 5], [14, 3, 4, 1], [12, 6, 8, 9], [16, 7, 10, 11]]
    for n in range(1, 8):
        g = [[r * n + c for c in range(n)] for r in range(n)]
        exp = [list(col) for col in zip(*g[::-1])]
        assert run(g) == exp
    n = 500
    g = [[r * n + c for c in range(n)] for r in range(n)]
    exp = [list(col) for col in zip(*g[::-1])]
    assert run(g) == exp
    run(g)
    run(g)
    run(g)
    assert g == [[r * n + c for c in range(n)] for r in range(n)]
'''
