# Online union-find: island count after each new land cell.
DIFFICULTY = "hard"
ENTRY_POINT = "islands_over_time"

PROMPT = r'''
def islands_over_time(rows: int, cols: int, additions: list[list[int]]) -> list[int]:
    """A rows x cols map starts as all water. additions[i] = [r, c] turns cell (r, c)
    into land (adding a cell that is already land changes nothing). After each
    addition, report the number of islands: maximal groups of land cells connected
    horizontally or vertically. Return the list of counts, one per addition.

    Constraints: 1 <= rows, cols <= 10**4, rows * cols <= 10**6,
    0 <= len(additions) <= 10**5. Recounting the islands from scratch after every
    addition is too slow.

    >>> islands_over_time(3, 3, [[0, 0], [0, 1], [1, 2], [2, 1], [1, 1]])
    [1, 1, 2, 3, 1]
    """
'''

SOLUTION = r'''
    parent = {}

    def find(x):
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    count = 0
    out = []
    for r, c in additions:
        cell = r * cols + c
        if cell not in parent:
            parent[cell] = cell
            count += 1
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols:
                    other = nr * cols + nc
                    if other in parent:
                        a, b = find(cell), find(other)
                        if a != b:
                            parent[a] = b
                            count -= 1
        out.append(count)
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    land = set()
    out = []
    for r, c in additions:
        land.add((r, c))
        seen = set()
        count = 0
        for cell in land:
            if cell not in seen:
                count += 1
                seen.add(cell)
                stack = [cell]
                while stack:
                    y, x = stack.pop()
                    for nb in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                        if nb in land and nb not in seen:
                            seen.add(nb)
                            stack.append(nb)
        out.append(count)
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate(3, 3, [[0, 0], [0, 1], [1, 2], [2, 1], [1, 1]]) == [1, 1, 2, 3, 1]
    assert candidate(1, 1, []) == []
    assert candidate(1, 1, [[0, 0], [0, 0]]) == [1, 1]
    assert candidate(2, 2, [[0, 0], [1, 1], [0, 1]]) == [1, 2, 1]
    assert candidate(1, 5, [[0, 0], [0, 2], [0, 4], [0, 1], [0, 3]]) == [1, 2, 3, 2, 1]
    assert candidate(2, 2, [[0, 1], [1, 0]]) == [1, 2]

    import random
    rng = random.Random(110)

    def slow(rows, cols, adds):
        land = set()
        out = []
        for r, c in adds:
            land.add((r, c))
            seen = set()
            cnt = 0
            for cell in land:
                if cell in seen:
                    continue
                cnt += 1
                seen.add(cell)
                st = [cell]
                while st:
                    y, x = st.pop()
                    for nb in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                        if nb in land and nb not in seen:
                            seen.add(nb)
                            st.append(nb)
            out.append(cnt)
        return out

    for _ in range(80):
        rows, cols = rng.randint(1, 4), rng.randint(1, 4)
        adds = [[rng.randrange(rows), rng.randrange(cols)] for _ in range(rng.randint(0, 10))]
        assert candidate(rows, cols, [list(a) for a in adds]) == slow(rows, cols, adds), (rows, cols, adds)

    # checkerboard first (all separate), then fill the gaps row by row
    n = 300
    black = [[r, c] for r in range(n) for c in range(n) if (r + c) % 2 == 0]
    got = candidate(n, n, black)
    assert got == list(range(1, len(black) + 1))
    line = [[0, c] for c in range(10**4)]
    assert candidate(1, 10**4, line) == [1] * 10**4
    rev = [[0, c] for c in range(0, 10**4, 2)] + [[0, c] for c in range(1, 10**4, 2)]
    exp = list(range(1, 5001)) + list(range(4999, -1, -1))
    exp[-1] = 1
    assert candidate(1, 10**4, rev) == exp
'''
