# Hashing: find two positions whose values add up to a target.
DIFFICULTY = "easy"
ENTRY_POINT = "pair_with_target_sum"

PROMPT = r'''
def pair_with_target_sum(nums: list[int], target: int) -> list[int]:
    """Find two different positions i < j with nums[i] + nums[j] == target.

    If several pairs qualify, return the one with the smallest j; among those, the
    smallest i. Return [i, j] (0-based indices), or [] when no pair exists.
    Do not modify nums.

    Constraints: 0 <= len(nums) <= 10**5, -10**9 <= nums[k], target <= 2 * 10**9.

    >>> pair_with_target_sum([3, 8, 1, 7, 2], 9)
    [1, 2]
    >>> pair_with_target_sum([5, 5], 10)
    [0, 1]
    >>> pair_with_target_sum([1, 2], 7)
    []
    """
'''

SOLUTION = r'''
    first = {}
    for j, x in enumerate(nums):
        i = first.get(target - x)
        if i is not None:
            return [i, j]
        if x not in first:
            first[x] = j
    return []
'''

TEST = r'''
def check(candidate):
    assert candidate([3, 8, 1, 7, 2], 9) == [1, 2]
    assert candidate([5, 5], 10) == [0, 1]
    assert candidate([1, 2], 7) == []
    assert candidate([], 0) == []
    assert candidate([4], 8) == []
    assert candidate([2, 2, 2, 2], 4) == [0, 1]
    assert candidate([1, 4, 3, 2, 0], 4) == [0, 2]
    assert candidate([-3, 7, 10, -1], 6) == [1, 3]
    assert candidate([0, -5, 5, 0], 0) == [1, 2]
    assert candidate([10**9, 10**9], 2 * 10**9) == [0, 1]
    assert candidate([6, 1, 6, 3], 12) == [0, 2]
    nums = [3, 1, 2]
    assert candidate(nums, 3) == [1, 2] and nums == [3, 1, 2]
    n = 100000
    big = list(range(0, 2 * n, 2))
    assert candidate(big, 2 * n + 1) == []
    assert candidate(big, 4 * n - 6) == [n - 2, n - 1]
'''
