# Prefix sums: pivot with equal sums on both sides.
DIFFICULTY = "easy"
ENTRY_POINT = "balance_index"

PROMPT = r'''
def balance_index(nums: list[int]) -> int:
    """Return the smallest index i such that the sum of the elements strictly to the
    left of i equals the sum of the elements strictly to the right of i (an empty side
    sums to 0). Return -1 if there is no such index.

    Constraints: 0 <= len(nums) <= 10**5, -1000 <= nums[i] <= 1000.

    >>> balance_index([1, 7, 3, 6, 5, 6])
    3
    >>> balance_index([2, 1, -1])
    0
    """
'''

SOLUTION = r'''
    total = sum(nums)
    left = 0
    for i, x in enumerate(nums):
        if left == total - left - x:
            return i
        left += x
    return -1
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 7, 3, 6, 5, 6]) == 3
    assert candidate([2, 1, -1]) == 0
    assert candidate([1, 2, 3]) == -1
    assert candidate([]) == -1
    assert candidate([0]) == 0
    assert candidate([5]) == 0
    assert candidate([0, 0, 0]) == 0
    assert candidate([-1, -1, 0, 1, 1, 0]) == 5
    assert candidate([1, -1, 4]) == 2
    assert candidate([3, 0, 3]) == 1
    n = 100000
    a = [1] * n
    assert candidate(a) == -1
    a.append(1)
    assert candidate(a) == n // 2
    b = [(i % 7) - 3 for i in range(n)]
    total = sum(b)
    left, expect = 0, -1
    for i, x in enumerate(b):
        if 2 * left == total - x:
            expect = i
            break
        left += x
    assert candidate(b) == expect
'''
