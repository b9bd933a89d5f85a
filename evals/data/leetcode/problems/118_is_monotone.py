# Arrays: monotone check.
DIFFICULTY = "easy"
ENTRY_POINT = "is_monotone"

PROMPT = r'''
def is_monotone(nums: list[int]) -> bool:
    """Return True if nums is entirely non-decreasing or entirely non-increasing.
    Lists with fewer than two elements are monotone.

    Constraints: 0 <= len(nums) <= 10**5, values fit in 64-bit signed integers.

    >>> is_monotone([1, 2, 2, 3])
    True
    >>> is_monotone([1, 3, 2])
    False
    """
'''

SOLUTION = r'''
    up = down = True
    for x, y in zip(nums, nums[1:]):
        if x < y:
            down = False
        elif x > y:
            up = False
    return up or down
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 2, 3]) is True
    assert candidate([1, 3, 2]) is False
    assert candidate([]) is True
    assert candidate([5]) is True
    assert candidate([2, 2, 2]) is True
    assert candidate([6, 5, 4, 4]) is True
    assert candidate([1, 1, 2, 1]) is False
    assert candidate([3, 3, 1, 1, 2]) is False
    assert candidate([-1, -1, -5]) is True
    n = 100000
    assert candidate(list(range(n))) is True
    assert candidate(list(range(n, 0, -1))) is True
    assert candidate(list(range(n)) + [0]) is False
    assert candidate([7] * n + [8]) is True
'''
