# Sorting + LIS: longest chain of strictly nesting rectangles.
DIFFICULTY = "hard"
ENTRY_POINT = "nesting_boxes"

PROMPT = r'''
def nesting_boxes(boxes: list[list[int]]) -> int:
    """Each box is a rectangle [w, h]. Box A fits inside box B when A's width is
    strictly smaller than B's width AND A's height is strictly smaller than B's
    height (no rotation). Return the largest number of boxes that can be nested one
    inside the next (a chain A1 inside A2 inside ...), or 0 for no boxes.

    Constraints: 0 <= len(boxes) <= 10**5, 1 <= w, h <= 10**5 (boxes may repeat).
    O(n^2) is too slow.

    >>> nesting_boxes([[5, 4], [6, 4], [6, 7], [2, 3]])
    3
    >>> nesting_boxes([[1, 1], [1, 1]])
    1
    """
'''

SOLUTION = r'''
    import bisect
    order = sorted(boxes, key=lambda b: (b[0], -b[1]))
    tails = []
    for _, h in order:
        k = bisect.bisect_left(tails, h)
        if k == len(tails):
            tails.append(h)
        else:
            tails[k] = h
    return len(tails)
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    import bisect
    order = sorted(boxes)
    tails = []
    for _, h in order:
        k = bisect.bisect_left(tails, h)
        if k == len(tails):
            tails.append(h)
        else:
            tails[k] = h
    return len(tails)
'''

TEST = r'''
def check(candidate):
    assert candidate([[5, 4], [6, 4], [6, 7], [2, 3]]) == 3
    assert candidate([[1, 1], [1, 1]]) == 1
    assert candidate([]) == 0
    assert candidate([[3, 9]]) == 1
    assert candidate([[1, 2], [1, 3], [1, 4]]) == 1
    assert candidate([[2, 1], [3, 1], [4, 1]]) == 1
    assert candidate([[1, 1], [2, 2], [3, 3]]) == 3
    assert candidate([[3, 3], [2, 2], [1, 1]]) == 3
    assert candidate([[4, 5], [4, 6], [6, 7], [2, 3], [1, 1]]) == 4
    assert candidate([[2, 100], [3, 200], [4, 300], [5, 500], [5, 400], [5, 250], [6, 370], [6, 360], [7, 380]]) == 5

    import random
    rng = random.Random(59)
    for _ in range(80):
        bs = [[rng.randint(1, 5), rng.randint(1, 5)] for _ in range(rng.randint(0, 9))]
        order = sorted(bs)
        best = [1] * len(order)
        for i in range(len(order)):
            for j in range(i):
                if order[j][0] < order[i][0] and order[j][1] < order[i][1]:
                    best[i] = max(best[i], best[j] + 1)
        assert candidate([list(b) for b in bs]) == max(best, default=0), bs

    n = 50000
    diag = [[i + 1, i + 1] for i in range(n)]
    rng.shuffle(diag)
    assert candidate(diag) == n
    anti = [[i + 1, n - i] for i in range(n)]
    assert candidate(anti) == 1
    cols = [[(i % 200) + 1, (i // 200) + 1] for i in range(40000)]
    assert candidate(cols) == 200
'''
