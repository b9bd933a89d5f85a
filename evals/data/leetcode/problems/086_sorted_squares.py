# Two pointers from both ends.
DIFFICULTY = "easy"
ENTRY_POINT = "sorted_squares"

PROMPT = r'''
def sorted_squares(nums: list[int]) -> list[int]:
    """nums is sorted in non-decreasing order and may contain negatives. Return the
    squares of its elements, sorted in non-decreasing order.

    Constraints: 0 <= len(nums) <= 10**5, -10**4 <= nums[i] <= 10**4.

    >>> sorted_squares([-4, -1, 0, 3, 10])
    [0, 1, 9, 16, 100]
    """
'''

SOLUTION = r'''
    out = [0] * len(nums)
    i, j = 0, len(nums) - 1
    for k in range(len(nums) - 1, -1, -1):
        if abs(nums[i]) > abs(nums[j]):
            out[k] = nums[i] * nums[i]
            i += 1
        else:
            out[k] = nums[j] * nums[j]
            j -= 1
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([-4, -1, 0, 3, 10]) == [0, 1, 9, 16, 100]
    assert candidate([]) == []
    assert candidate([-3]) == [9]
    assert candidate([-2, -2, 2]) == [4, 4, 4]
    assert candidate([-7, -3, 2, 3, 11]) == [4, 9, 9, 49, 121]
    assert candidate([-5, -4, -1]) == [1, 16, 25]
    assert candidate([0, 0]) == [0, 0]
    a = list(range(-10**4, 10**4, 1))[::2]
    assert candidate(a) == sorted(x * x for x in a)
'''
