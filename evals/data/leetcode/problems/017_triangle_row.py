# Math: binomial coefficients.
DIFFICULTY = "easy"
ENTRY_POINT = "triangle_row"

PROMPT = r'''
def triangle_row(k: int) -> list[int]:
    """Return row k (0-based) of Pascal's triangle: the list of binomial
    coefficients C(k, 0), C(k, 1), ..., C(k, k), as exact integers.

    Constraints: 0 <= k <= 2000.

    >>> triangle_row(4)
    [1, 4, 6, 4, 1]
    >>> triangle_row(0)
    [1]
    """
'''

SOLUTION = r'''
    row = [1]
    for i in range(1, k + 1):
        row.append(row[-1] * (k - i + 1) // i)
    return row
'''

TEST = r'''
def check(candidate):
    import math
    assert candidate(0) == [1]
    assert candidate(1) == [1, 1]
    assert candidate(2) == [1, 2, 1]
    assert candidate(4) == [1, 4, 6, 4, 1]
    assert candidate(5) == [1, 5, 10, 10, 5, 1]
    for k in (10, 33, 100, 2000):
        assert candidate(k) == [math.comb(k, i) for i in range(k + 1)]
'''
