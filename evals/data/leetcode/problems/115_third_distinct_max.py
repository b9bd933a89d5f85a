# Arrays: track the top three distinct values.
DIFFICULTY = "easy"
ENTRY_POINT = "third_distinct_max"

PROMPT = r'''
def third_distinct_max(nums: list[int]) -> int:
    """Return the third largest DISTINCT value in nums. If nums has fewer than three
    distinct values, return the largest value instead.

    Constraints: 1 <= len(nums) <= 10**5, -2**31 <= nums[i] < 2**31.

    >>> third_distinct_max([3, 2, 1])
    1
    >>> third_distinct_max([2, 2, 3, 1])
    1
    >>> third_distinct_max([1, 2])
    2
    """
'''

SOLUTION = r'''
    top = []
    for x in nums:
        if x in top:
            continue
        top.append(x)
        top.sort(reverse=True)
        if len(top) > 3:
            top.pop()
    return top[2] if len(top) == 3 else top[0]
'''

TEST = r'''
def check(candidate):
    assert candidate([3, 2, 1]) == 1
    assert candidate([2, 2, 3, 1]) == 1
    assert candidate([1, 2]) == 2
    assert candidate([5]) == 5
    assert candidate([7, 7, 7]) == 7
    assert candidate([1, 1, 2]) == 2
    assert candidate([-2**31, 1, 2]) == -2**31
    assert candidate([5, 2, 2, 4, 4, 1]) == 2
    assert candidate([1, 2, 3, 4, 5, 6]) == 4
    n = 100000
    big = [(i * 7919) % 100003 - 50000 for i in range(n)]
    assert candidate(big) == sorted(set(big))[-3]
    assert candidate([9] * n + [8] * n) == 9
'''
