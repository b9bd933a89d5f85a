# Bit manipulation: XOR.
DIFFICULTY = "easy"
ENTRY_POINT = "unpaired_value"

PROMPT = r'''
def unpaired_value(nums: list[int]) -> int:
    """In nums every value occurs exactly twice except one value, which occurs once.
    Return that value.

    Constraints: 1 <= len(nums) <= 10**5 (odd), -10**9 <= nums[i] <= 10**9.

    >>> unpaired_value([4, 1, 2, 1, 2])
    4
    """
'''

SOLUTION = r'''
    acc = 0
    for x in nums:
        acc ^= x
    return acc
'''

TEST = r'''
def check(candidate):
    assert candidate([4, 1, 2, 1, 2]) == 4
    assert candidate([7]) == 7
    assert candidate([0]) == 0
    assert candidate([-3, 5, 5]) == -3
    assert candidate([2, 2, -1]) == -1
    assert candidate([10**9, -10**9, 10**9]) == -10**9
    assert candidate([1, 0, 1]) == 0
    n = 50000
    arr = list(range(-n, n)) + list(range(n - 1, -n - 1, -1)) + [123456]
    assert candidate(arr) == 123456
'''
