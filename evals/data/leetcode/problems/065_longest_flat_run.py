# Arrays: longest block of equal neighbours.
DIFFICULTY = "easy"
ENTRY_POINT = "longest_flat_run"

PROMPT = r'''
def longest_flat_run(nums: list[int]) -> list[int]:
    """A flat run is a maximal block of consecutive equal elements. Return
    [start, length] for the longest flat run of nums, where start is its first index;
    if several runs share the maximum length, return the leftmost one. Return [0, 0]
    for an empty list.

    Constraints: 0 <= len(nums) <= 10**5, values fit in 64-bit signed integers.

    >>> longest_flat_run([4, 4, 1, 1, 1, 4, 4, 4])
    [2, 3]
    """
'''

SOLUTION = r'''
    best_start, best_len = 0, 0
    i = 0
    while i < len(nums):
        j = i
        while j < len(nums) and nums[j] == nums[i]:
            j += 1
        if j - i > best_len:
            best_start, best_len = i, j - i
        i = j
    return [best_start, best_len]
'''

TEST = r'''
def check(candidate):
    assert candidate([4, 4, 1, 1, 1, 4, 4, 4]) == [2, 3]
    assert candidate([]) == [0, 0]
    assert candidate([9]) == [0, 1]
    assert candidate([1, 2, 3]) == [0, 1]
    assert candidate([1, 1, 2, 2]) == [0, 2]
    assert candidate([3, 2, 2]) == [1, 2]
    assert candidate([-1, -1, -1]) == [0, 3]
    assert candidate([0, 1, 1, 0, 0, 0]) == [3, 3]
    assert candidate([5, 5, 6, 5, 5]) == [0, 2]
    n = 100000
    a = [i // 7 for i in range(n)]
    a[50000:50010] = [-1] * 10
    assert candidate(a) == [50000, 10]
    assert candidate([2] * n) == [0, n]
'''
