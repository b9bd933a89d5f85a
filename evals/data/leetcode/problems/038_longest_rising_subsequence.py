# Patience sorting / binary search: LIS length.
DIFFICULTY = "medium"
ENTRY_POINT = "longest_rising_subsequence"

PROMPT = r'''
def longest_rising_subsequence(nums: list[int]) -> int:
    """Return the length of the longest strictly increasing subsequence of nums (a
    subsequence keeps the original order but may skip elements). Empty input gives 0.

    Constraints: 0 <= len(nums) <= 10**5, -10**9 <= nums[i] <= 10**9.
    An O(n^2) algorithm is too slow for the largest inputs.

    >>> longest_rising_subsequence([10, 9, 2, 5, 3, 7, 101, 18])
    4
    >>> longest_rising_subsequence([7, 7, 7])
    1
    """
'''

SOLUTION = r'''
    import bisect
    tails = []
    for x in nums:
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails)
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    n = len(nums)
    best = [1] * n
    for i in range(n):
        for j in range(i):
            if nums[j] < nums[i] and best[j] + 1 > best[i]:
                best[i] = best[j] + 1
    return max(best, default=0)
'''

TEST = r'''
def check(candidate):
    assert candidate([10, 9, 2, 5, 3, 7, 101, 18]) == 4
    assert candidate([7, 7, 7]) == 1
    assert candidate([]) == 0
    assert candidate([5]) == 1
    assert candidate([1, 2, 2, 3]) == 3
    assert candidate([3, 2, 1]) == 1
    assert candidate([0, 1, 0, 3, 2, 3]) == 4
    assert candidate([-5, -1, -3, 0]) == 3

    import random
    rng = random.Random(38)
    for _ in range(60):
        a = [rng.randint(-5, 5) for _ in range(rng.randint(0, 12))]
        best = [1] * len(a)
        for i in range(len(a)):
            for j in range(i):
                if a[j] < a[i]:
                    best[i] = max(best[i], best[j] + 1)
        assert candidate(list(a)) == max(best, default=0), a

    n = 100000
    assert candidate(list(range(n))) == n
    assert candidate(list(range(n, 0, -1))) == 1
    # 316 descending blocks of increasing values: LIS picks one per block
    zig = [b * 1000 - k for b in range(316) for k in range(316)]
    assert candidate(zig) == 316
    saw = [(i % 1000) + (i // 1000) for i in range(n)]
    assert candidate(saw) == 1099
'''
