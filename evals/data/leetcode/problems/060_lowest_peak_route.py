# Dijkstra variant (minimax path) on a grid.
DIFFICULTY = "hard"
ENTRY_POINT = "lowest_peak_route"

PROMPT = r'''
def lowest_peak_route(elev: list[list[int]]) -> int:
    """elev is a rectangular grid of elevations. A hiker walks from the top-left cell
    to the bottom-right cell, moving up, down, left or right one cell at a time (any
    number of steps, revisits allowed). The height of a route is the largest elevation
    among all the cells it visits, including both endpoints. Return the smallest
    possible height of a route.

    Constraints: 1 <= rows, cols <= 150, 0 <= elev[r][c] <= 10**6.
    Routes may need to wind up, down, left and right.

    >>> lowest_peak_route([[0, 2], [1, 3]])
    3
    >>> lowest_peak_route([[1, 9, 1, 1, 1], [1, 9, 1, 9, 1], [1, 1, 1, 9, 1]])
    1
    """
'''

SOLUTION = r'''
    import heapq
    rows, cols = len(elev), len(elev[0])
    best = [[None] * cols for _ in range(rows)]
    best[0][0] = elev[0][0]
    heap = [(elev[0][0], 0, 0)]
    while heap:
        h, r, c = heapq.heappop(heap)
        if r == rows - 1 and c == cols - 1:
            return h
        if h > best[r][c]:
            continue
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < rows and 0 <= nc < cols:
                nh = elev[nr][nc] if elev[nr][nc] > h else h
                if best[nr][nc] is None or nh < best[nr][nc]:
                    best[nr][nc] = nh
                    heapq.heappush(heap, (nh, nr, nc))
    return best[rows - 1][cols - 1]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    rows, cols = len(elev), len(elev[0])
    best = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            if r == 0 and c == 0:
                best[r][c] = elev[0][0]
                continue
            prev = min(best[r - 1][c] if r else float("inf"), best[r][c - 1] if c else float("inf"))
            best[r][c] = max(prev, elev[r][c])
    return best[-1][-1]
'''

TEST = r'''
def check(candidate):
    assert candidate([[0, 2], [1, 3]]) == 3
    assert candidate([[1, 9, 1, 1, 1], [1, 9, 1, 9, 1], [1, 1, 1, 9, 1]]) == 1
    assert candidate([[5]]) == 5
    assert candidate([[0, 10**6]]) == 10**6
    assert candidate([[3], [1], [2]]) == 3
    assert candidate([[0, 1, 2, 3, 4], [24, 23, 22, 21, 5], [12, 13, 14, 15, 16], [11, 17, 18, 19, 20], [10, 9, 8, 7, 6]]) == 16
    g = [[1, 2], [3, 4]]
    candidate(g)
    assert g == [[1, 2], [3, 4]]

    import random
    rng = random.Random(60)

    def slow(e):
        rows, cols = len(e), len(e[0])
        for limit in sorted({x for row in e for x in row}):
            if e[0][0] > limit:
                continue
            seen = {(0, 0)}
            stack = [(0, 0)]
            while stack:
                r, c = stack.pop()
                for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if 0 <= nr < rows and 0 <= nc < cols and (nr, nc) not in seen and e[nr][nc] <= limit:
                        seen.add((nr, nc))
                        stack.append((nr, nc))
            if (rows - 1, cols - 1) in seen:
                return limit

    for _ in range(80):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        e = [[rng.randint(0, 9) for _ in range(cols)] for _ in range(rows)]
        assert candidate([row[:] for row in e]) == slow(e), e

    # a serpentine valley (height 1) walled by height 10**6 except one gap per wall row
    n = 100
    maze = []
    for r in range(n):
        if r % 2 == 0:
            maze.append([1] * n)
        elif r % 4 == 1:
            maze.append([10**6] * (n - 1) + [7])
        else:
            maze.append([8] + [10**6] * (n - 1))
    maze[n - 1][n - 1] = 1
    assert candidate(maze) == 8
    big = [[rng.randint(0, 10**6) for _ in range(n)] for _ in range(n)]
    assert candidate(big) == 744448
'''
