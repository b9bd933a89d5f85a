# DAG longest path on a grid (process cells by height).
DIFFICULTY = "hard"
ENTRY_POINT = "longest_climb"

PROMPT = r'''
def longest_climb(heights: list[list[int]]) -> int:
    """heights is a rectangular grid. A climb is a sequence of cells, each
    horizontally or vertically adjacent to the previous one, whose heights strictly
    increase. Return the number of cells in the longest climb (0 for an empty grid,
    i.e. no rows or rows of length 0).

    Constraints: 0 <= rows, cols <= 150, 0 <= heights[r][c] <= 10**9. A climb can
    contain every cell of the grid (deeper than Python's default recursion limit).

    >>> longest_climb([[9, 9, 4], [6, 6, 8], [2, 1, 1]])
    4
    >>> longest_climb([[3, 4, 5], [3, 2, 6], [2, 2, 1]])
    4
    """
'''

SOLUTION = r'''
    if not heights or not heights[0]:
        return 0
    rows, cols = len(heights), len(heights[0])
    order = sorted((heights[r][c], r, c) for r in range(rows) for c in range(cols))
    best = [[1] * cols for _ in range(rows)]
    answer = 1
    for h, r, c in order:
        b = best[r][c]
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < rows and 0 <= nc < cols and heights[nr][nc] > h and best[nr][nc] <= b:
                best[nr][nc] = b + 1
                if b + 1 > answer:
                    answer = b + 1
    return answer
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # only climbs that move right or down
    if not heights or not heights[0]:
        return 0
    rows, cols = len(heights), len(heights[0])
    best = [[1] * cols for _ in range(rows)]
    answer = 1
    for r in range(rows):
        for c in range(cols):
            if r and heights[r - 1][c] < heights[r][c]:
                best[r][c] = max(best[r][c], best[r - 1][c] + 1)
            if c and heights[r][c - 1] < heights[r][c]:
                best[r][c] = max(best[r][c], best[r][c - 1] + 1)
            answer = max(answer, best[r][c])
    return answer
'''

TEST = r'''
def check(candidate):
    assert candidate([[9, 9, 4], [6, 6, 8], [2, 1, 1]]) == 4
    assert candidate([[3, 4, 5], [3, 2, 6], [2, 2, 1]]) == 4
    assert candidate([]) == 0
    assert candidate([[]]) == 0
    assert candidate([[7]]) == 1
    assert candidate([[1, 1], [1, 1]]) == 1
    assert candidate([[1, 2], [4, 3]]) == 4
    assert candidate([[5, 4, 3, 2, 1]]) == 5

    import random
    rng = random.Random(109)

    def slow(g):
        rows, cols = len(g), len(g[0])
        memo = {}
        def go(r, c):
            if (r, c) not in memo:
                memo[(r, c)] = 1 + max([go(nr, nc) for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                                        if 0 <= nr < rows and 0 <= nc < cols and g[nr][nc] > g[r][c]] + [0])
            return memo[(r, c)]
        return max(go(r, c) for r in range(rows) for c in range(cols))

    for _ in range(80):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        g = [[rng.randint(0, 6) for _ in range(cols)] for _ in range(rows)]
        assert candidate([row[:] for row in g]) == slow(g), g

    n = 150
    # a serpentine path through the whole grid with increasing heights
    snake = [[0] * n for _ in range(n)]
    k = 0
    for r in range(n):
        cols = range(n) if r % 2 == 0 else range(n - 1, -1, -1)
        for c in cols:
            snake[r][c] = k
            k += 1
    assert candidate(snake) == n * n
    flat = [[5] * n for _ in range(n)]
    assert candidate(flat) == 1
    big = [[rng.randint(0, 10**9) for _ in range(n)] for _ in range(n)]
    assert candidate(big) == 12
'''
