# Simulation: read a matrix in clockwise spiral order.
DIFFICULTY = "medium"
ENTRY_POINT = "spiral_walk"

PROMPT = r'''
def spiral_walk(grid: list[list[int]]) -> list[int]:
    """Return the elements of the rectangular matrix grid in clockwise spiral order:
    start at the top-left corner, go right along the top row, down the right column,
    left along the bottom row, up the left column, then continue inwards the same way
    until every element has been listed exactly once. An empty matrix ([] or rows of
    length 0) gives [].

    Constraints: 0 <= rows, cols <= 300.

    >>> spiral_walk([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    [1, 2, 3, 6, 9, 8, 7, 4, 5]
    >>> spiral_walk([[1, 2, 3, 4], [5, 6, 7, 8]])
    [1, 2, 3, 4, 8, 7, 6, 5]
    """
'''

SOLUTION = r'''
    if not grid or not grid[0]:
        return []
    top, bottom = 0, len(grid) - 1
    left, right = 0, len(grid[0]) - 1
    out = []
    while top <= bottom and left <= right:
        for c in range(left, right + 1):
            out.append(grid[top][c])
        for r in range(top + 1, bottom + 1):
            out.append(grid[r][right])
        if top < bottom:
            for c in range(right - 1, left - 1, -1):
                out.append(grid[bottom][c])
        if left < right:
            for r in range(bottom - 1, top, -1):
                out.append(grid[r][left])
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return out
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    if not grid or not grid[0]:
        return []
    top, bottom = 0, len(grid) - 1
    left, right = 0, len(grid[0]) - 1
    out = []
    while top <= bottom and left <= right:
        for c in range(left, right + 1):
            out.append(grid[top][c])
        for r in range(top + 1, bottom + 1):
            out.append(grid[r][right])
        for c in range(right - 1, left - 1, -1):
            out.append(grid[bottom][c])
        for r in range(bottom - 1, top, -1):
            out.append(grid[r][left])
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == [1, 2, 3, 6, 9, 8, 7, 4, 5]
    assert candidate([[1, 2, 3, 4], [5, 6, 7, 8]]) == [1, 2, 3, 4, 8, 7, 6, 5]
    assert candidate([]) == []
    assert candidate([[]]) == []
    assert candidate([[7]]) == [7]
    assert candidate([[1, 2, 3]]) == [1, 2, 3]
    assert candidate([[1], [2], [3]]) == [1, 2, 3]
    assert candidate([[1, 2], [3, 4]]) == [1, 2, 4, 3]
    assert candidate([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]) == [1, 2, 3, 4, 8, 12, 11, 10, 9, 5, 6, 7]
    assert candidate([[1, 2], [3, 4], [5, 6], [7, 8]]) == [1, 2, 4, 6, 8, 7, 5, 3]

    def slow(g):
        g = [row[:] for row in g]
        out = []
        while g and g[0]:
            out += g.pop(0)
            g = [list(r) for r in zip(*g)][::-1]
        return out

    for rows in range(1, 7):
        for cols in range(1, 7):
            g = [[r * cols + c for c in range(cols)] for r in range(rows)]
            assert candidate(g) == slow(g), (rows, cols)
    big = [[r * 300 + c for c in range(300)] for r in range(299)]
    got = candidate(big)
    assert sorted(got) == list(range(299 * 300))
    assert got[:301] == list(range(300)) + [599]
    assert got[-3:] == [44848, 44849, 44850]
'''
