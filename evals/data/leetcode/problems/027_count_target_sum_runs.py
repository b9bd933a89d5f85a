# Prefix sums + hashing: count subarrays with a given sum.
DIFFICULTY = "medium"
ENTRY_POINT = "count_target_sum_runs"

PROMPT = r'''
def count_target_sum_runs(nums: list[int], k: int) -> int:
    """Return how many pairs (i, j) with 0 <= i <= j < len(nums) satisfy
    nums[i] + nums[i+1] + ... + nums[j] == k (count contiguous non-empty runs by
    position, so equal runs at different positions count separately).

    Constraints: 0 <= len(nums) <= 10**5, -1000 <= nums[i] <= 1000 (negatives and
    zeros allowed), -10**7 <= k <= 10**7.

    >>> count_target_sum_runs([1, 2, 3, -2, 2], 3)
    4
    """
'''

SOLUTION = r'''
    seen = {0: 1}
    total = 0
    count = 0
    for x in nums:
        total += x
        count += seen.get(total - k, 0)
        seen[total] = seen.get(total, 0) + 1
    return count
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    count = 0
    n = len(nums)
    for i in range(n):
        s = 0
        for j in range(i, n):
            s += nums[j]
            if s == k:
                count += 1
    return count
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 3, -2, 2], 3) == 4
    assert candidate([], 0) == 0
    assert candidate([5], 5) == 1
    assert candidate([5], 0) == 0
    assert candidate([0, 0, 0], 0) == 6
    assert candidate([1, -1, 1, -1], 0) == 4
    assert candidate([1, 1, 1], 2) == 2
    assert candidate([-3, 3, -3], -3) == 3

    import random
    rng = random.Random(27)
    for _ in range(100):
        a = [rng.randint(-3, 3) for _ in range(rng.randint(0, 12))]
        k = rng.randint(-4, 4)
        slow = sum(1 for i in range(len(a)) for j in range(i, len(a)) if sum(a[i:j + 1]) == k)
        assert candidate(list(a), k) == slow, (a, k)

    n = 100000
    assert candidate([0] * n, 0) == n * (n + 1) // 2
    assert candidate([1] * n, 1000) == n - 999
    a = [rng.randint(-1000, 1000) for _ in range(n)]
    from collections import defaultdict
    seen = defaultdict(int)
    seen[0] = 1
    s = c = 0
    for x in a:
        s += x
        c += seen[s - 7]
        seen[s] += 1
    assert candidate(a, 7) == c
'''
