# Backtracking with bitmasks: count non-attacking queen placements.
DIFFICULTY = "hard"
ENTRY_POINT = "peaceful_queens"

PROMPT = r'''
def peaceful_queens(n: int) -> int:
    """Return the number of ways to place n queens on an n x n chessboard so that no
    two queens share a row, a column or a diagonal (in either direction). Placements
    that are rotations or reflections of each other count separately.

    Constraints: 0 <= n <= 11. For n == 0 there is exactly one (empty) placement.
    Enumerating all arrangements of queens per row (n ** n) is too slow.

    >>> peaceful_queens(4)
    2
    >>> peaceful_queens(1)
    1
    """
'''

SOLUTION = r'''
    full = (1 << n) - 1
    count = 0
    stack = [(0, 0, 0)]  # occupied columns, diagonals shifted for the current row
    while stack:
        cols, d1, d2 = stack.pop()
        if cols == full:
            count += 1
            continue
        free = full & ~(cols | d1 | d2)
        while free:
            bit = free & -free
            free ^= bit
            stack.append((cols | bit, ((d1 | bit) << 1) & full, (d2 | bit) >> 1))
    return count
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    import itertools
    count = 0
    for cols in itertools.product(range(n), repeat=n):
        ok = True
        for i in range(n):
            for j in range(i + 1, n):
                if cols[i] == cols[j] or abs(cols[i] - cols[j]) == j - i:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            count += 1
    return count
'''

TEST = r'''
def check(candidate):
    expect = [1, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680]
    for n in range(0, 10):
        assert candidate(n) == expect[n], n
    assert candidate(11) == 2680
'''
