# DP / greedy: maximum subarray (Kadane).
DIFFICULTY = "easy"
ENTRY_POINT = "best_run_sum"

PROMPT = r'''
def best_run_sum(nums: list[int]) -> int:
    """Return the largest sum of a non-empty contiguous run nums[i..j] (i <= j).

    Constraints: 1 <= len(nums) <= 10**5, -10**4 <= nums[i] <= 10**4.

    >>> best_run_sum([-2, 1, -3, 4, -1, 2, 1, -5, 4])
    6
    >>> best_run_sum([-3, -1, -2])
    -1
    """
'''

SOLUTION = r'''
    best = cur = nums[0]
    for x in nums[1:]:
        cur = x if cur < 0 else cur + x
        if cur > best:
            best = cur
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6
    assert candidate([-3, -1, -2]) == -1
    assert candidate([5]) == 5
    assert candidate([-5]) == -5
    assert candidate([0, 0]) == 0
    assert candidate([1, 2, 3]) == 6
    assert candidate([3, -4, 3]) == 3
    assert candidate([3, -2, 3]) == 4
    assert candidate([-1, 0, -1]) == 0
    assert candidate([10**4] * 100000) == 10**9
    a = [((i * 7919) % 201) - 101 for i in range(100000)]
    best = cur = a[0]
    for x in a[1:]:
        cur = max(x, cur + x)
        best = max(best, cur)
    assert candidate(a) == best
'''
