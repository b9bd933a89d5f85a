# Arrays: strictly rising then strictly falling.
DIFFICULTY = "easy"
ENTRY_POINT = "is_mountain"

PROMPT = r'''
def is_mountain(heights: list[int]) -> bool:
    """Return True if heights is a mountain: it has at least 3 elements, and there is
    a peak index p with 0 < p < len(heights) - 1 such that heights strictly increases
    from index 0 up to p and strictly decreases from p to the end.

    Constraints: 0 <= len(heights) <= 10**5, 0 <= heights[i] <= 10**4.

    >>> is_mountain([0, 3, 2, 1])
    True
    >>> is_mountain([3, 5, 5])
    False
    """
'''

SOLUTION = r'''
    n = len(heights)
    i = 0
    while i + 1 < n and heights[i] < heights[i + 1]:
        i += 1
    if i == 0 or i == n - 1:
        return False
    while i + 1 < n and heights[i] > heights[i + 1]:
        i += 1
    return i == n - 1
'''

TEST = r'''
def check(candidate):
    assert candidate([0, 3, 2, 1]) is True
    assert candidate([3, 5, 5]) is False
    assert candidate([]) is False
    assert candidate([1]) is False
    assert candidate([1, 2]) is False
    assert candidate([1, 2, 1]) is True
    assert candidate([1, 2, 3]) is False
    assert candidate([3, 2, 1]) is False
    assert candidate([1, 3, 2, 2]) is False
    assert candidate([1, 2, 2, 1]) is False
    assert candidate([1, 3, 2, 4, 1]) is False
    assert candidate([0, 10000, 0]) is True
    n = 100000
    up = list(range(n // 2))
    assert candidate(up + up[::-1][1:]) is True
    assert candidate(up + up[::-1]) is False
    assert candidate(up) is False
'''
