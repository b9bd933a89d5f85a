# Binary search: lower bound.
DIFFICULTY = "easy"
ENTRY_POINT = "insert_position"

PROMPT = r'''
def insert_position(nums: list[int], target: int) -> int:
    """nums is sorted in non-decreasing order (duplicates allowed). Return the smallest
    index i such that inserting target before position i keeps nums sorted, i.e. the
    number of elements strictly less than target.

    Constraints: 0 <= len(nums) <= 10**6, values fit in 64-bit signed integers.
    The intended solution runs in O(log n) time.

    >>> insert_position([1, 3, 3, 5], 3)
    1
    >>> insert_position([1, 3, 3, 5], 4)
    3
    """
'''

SOLUTION = r'''
    lo, hi = 0, len(nums)
    while lo < hi:
        mid = (lo + hi) // 2
        if nums[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 3, 3, 5], 3) == 1
    assert candidate([1, 3, 3, 5], 4) == 3
    assert candidate([], 7) == 0
    assert candidate([5], 5) == 0
    assert candidate([5], 6) == 1
    assert candidate([5], 4) == 0
    assert candidate([2, 2, 2], 2) == 0
    assert candidate([2, 2, 2], 3) == 3
    assert candidate([-10, -5, 0], -7) == 1
    big = list(range(0, 2 * 10**6, 2))
    for t in range(-1, 2 * 10**6 + 2, 99991):
        assert candidate(big, t) == (t + 1) // 2 if t >= 0 else candidate(big, t) == 0
    assert candidate(big, 2 * 10**6) == 10**6
    for _ in range(3000):
        assert candidate(big, 1234567) == 617284
'''
