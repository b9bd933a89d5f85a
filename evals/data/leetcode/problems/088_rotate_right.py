# Arrays: rotation.
DIFFICULTY = "easy"
ENTRY_POINT = "rotate_right"

PROMPT = r'''
def rotate_right(nums: list[int], k: int) -> list[int]:
    """Return a new list equal to nums rotated k steps to the right: each element moves
    k positions towards the end, wrapping around to the front. Do not modify nums.

    Constraints: 0 <= len(nums) <= 10**5, 0 <= k <= 10**18.

    >>> rotate_right([1, 2, 3, 4, 5], 2)
    [4, 5, 1, 2, 3]
    """
'''

SOLUTION = r'''
    if not nums:
        return []
    k %= len(nums)
    return nums[len(nums) - k:] + nums[:len(nums) - k]
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 3, 4, 5], 2) == [4, 5, 1, 2, 3]
    assert candidate([], 3) == []
    assert candidate([7], 10**18) == [7]
    assert candidate([1, 2], 0) == [1, 2]
    assert candidate([1, 2], 1) == [2, 1]
    assert candidate([1, 2, 3], 3) == [1, 2, 3]
    assert candidate([1, 2, 3], 4) == [3, 1, 2]
    a = [1, 2, 3]
    assert candidate(a, 1) == [3, 1, 2] and a == [1, 2, 3]
    big = list(range(100000))
    assert candidate(big, 10**18) == big
    assert candidate(big, 10**18 + 3) == big[-3:] + big[:-3]
    assert candidate(big, 123457) == big[-23457:] + big[:-23457]
'''
