# Two sliding windows: at-most(k) minus at-most(k-1).
DIFFICULTY = "hard"
ENTRY_POINT = "exact_variety_runs"

PROMPT = r'''
def exact_variety_runs(nums: list[int], k: int) -> int:
    """Count the pairs (i, j), 0 <= i <= j < len(nums), such that the run
    nums[i..j] contains exactly k distinct values.

    Constraints: 0 <= len(nums) <= 10**5, 1 <= k <= 10**5, 1 <= nums[i] <= 10**5.
    The answer can exceed 2**32. O(n^2) is too slow.

    >>> exact_variety_runs([1, 2, 1, 2, 3], 2)
    7
    >>> exact_variety_runs([1, 2, 1, 3, 4], 3)
    3
    """
'''

SOLUTION = r'''
    def at_most(m):
        if m <= 0:
            return 0
        counts = {}
        left = 0
        total = 0
        for right, x in enumerate(nums):
            counts[x] = counts.get(x, 0) + 1
            while len(counts) > m:
                y = nums[left]
                counts[y] -= 1
                if counts[y] == 0:
                    del counts[y]
                left += 1
            total += right - left + 1
        return total

    return at_most(k) - at_most(k - 1)
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    total = 0
    for i in range(len(nums)):
        seen = set()
        for j in range(i, len(nums)):
            seen.add(nums[j])
            if len(seen) == k:
                total += 1
            elif len(seen) > k:
                break
    return total
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 1, 2, 3], 2) == 7
    assert candidate([1, 2, 1, 3, 4], 3) == 3
    assert candidate([], 1) == 0
    assert candidate([5], 1) == 1
    assert candidate([5], 2) == 0
    assert candidate([1, 1, 1], 1) == 6
    assert candidate([1, 2, 3], 3) == 1
    assert candidate([1, 2, 3], 4) == 0
    assert candidate([2, 1, 2, 1], 2) == 6

    import random
    rng = random.Random(124)
    for _ in range(150):
        a = [rng.randint(1, 4) for _ in range(rng.randint(0, 10))]
        k = rng.randint(1, 4)
        exp = sum(1 for i in range(len(a)) for j in range(i, len(a)) if len(set(a[i:j + 1])) == k)
        assert candidate(list(a), k) == exp, (a, k)

    n = 100000
    assert candidate([7] * n, 1) == n * (n + 1) // 2
    assert candidate(list(range(1, n + 1)), 1) == n
    assert candidate(list(range(1, n + 1)), n) == 1
    two = [1 + (i // 50000) for i in range(n)]
    assert candidate(two, 2) == 50000 * 50000
    cyc = [1 + i % 1000 for i in range(n)]
    assert candidate(cyc, 1000) == 4900648501
'''
