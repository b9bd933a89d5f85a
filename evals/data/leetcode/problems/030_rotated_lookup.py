# Binary search in a rotated sorted array.
DIFFICULTY = "medium"
ENTRY_POINT = "rotated_lookup"

PROMPT = r'''
def rotated_lookup(nums: list[int], target: int) -> int:
    """nums is a list of distinct integers that was sorted in increasing order and
    then rotated: some (possibly empty) prefix was moved, in order, to the end, e.g.
    [0, 1, 2, 4, 5, 6, 7] may become [4, 5, 6, 7, 0, 1, 2]. Return the index of target
    in nums, or -1 if it is absent.

    Constraints: 0 <= len(nums) <= 10**6. Your function will be called many times
    on large inputs: it must run in O(log n) time per call (no linear scan).

    >>> rotated_lookup([4, 5, 6, 7, 0, 1, 2], 0)
    4
    >>> rotated_lookup([4, 5, 6, 7, 0, 1, 2], 3)
    -1
    """
'''

SOLUTION = r'''
    lo, hi = 0, len(nums) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        v = nums[mid]
        if v == target:
            return mid
        if nums[lo] <= v:
            if nums[lo] <= target < v:
                hi = mid - 1
            else:
                lo = mid + 1
        else:
            if v < target <= nums[hi]:
                lo = mid + 1
            else:
                hi = mid - 1
    return -1
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    for i, v in enumerate(nums):
        if v == target:
            return i
    return -1
'''

TEST = r'''
def check(candidate):
    assert candidate([4, 5, 6, 7, 0, 1, 2], 0) == 4
    assert candidate([4, 5, 6, 7, 0, 1, 2], 3) == -1
    assert candidate([], 1) == -1
    assert candidate([1], 1) == 0
    assert candidate([1], 2) == -1
    assert candidate([3, 1], 1) == 1
    assert candidate([3, 1], 3) == 0
    assert candidate([1, 3], 3) == 1
    assert candidate([5, 1, 3], 5) == 0
    assert candidate([5, 1, 3], 3) == 2
    assert candidate([-9, -4, -1], -4) == 1
    for r in range(8):
        base = [2, 4, 6, 8, 10, 12, 14, 16]
        rot = base[r:] + base[:r]
        for t in range(1, 18):
            assert candidate(rot, t) == (rot.index(t) if t in rot else -1), (rot, t)

    n = 10**6
    shift = 654321
    big = [((i + shift) % n) * 3 for i in range(n)]
    for q in range(0, 3 * n + 3, 997):
        expect = ((q // 3 - shift) % n) if q % 3 == 0 and q < 3 * n else -1
        assert candidate(big, q) == expect
'''
