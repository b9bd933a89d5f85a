# Prefix sums + Fenwick tree over compressed values (or merge sort).
DIFFICULTY = "hard"
ENTRY_POINT = "bounded_sum_runs"

PROMPT = r'''
def bounded_sum_runs(nums: list[int], lo: int, hi: int) -> int:
    """Count the pairs (i, j) with 0 <= i <= j < len(nums) such that
    lo <= nums[i] + ... + nums[j] <= hi (non-empty contiguous runs, counted by
    position).

    Constraints: 0 <= len(nums) <= 2 * 10**4, -10**9 <= nums[i] <= 10**9,
    -10**14 <= lo <= hi <= 10**14. O(n^2) is too slow; aim for O(n log n).

    >>> bounded_sum_runs([-2, 5, -1], -2, 2)
    3
    """
'''

SOLUTION = r'''
    import bisect
    prefix = [0]
    for x in nums:
        prefix.append(prefix[-1] + x)
    values = sorted(set(prefix))
    size = len(values)
    tree = [0] * (size + 1)

    def add(i):
        i += 1
        while i <= size:
            tree[i] += 1
            i += i & -i

    def count_below(i):  # how many inserted values have rank < i
        total = 0
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    result = 0
    for p in prefix:
        # earlier prefixes q with p - hi <= q <= p - lo
        result += count_below(bisect.bisect_right(values, p - lo)) - count_below(bisect.bisect_left(values, p - hi))
        add(bisect.bisect_left(values, p))
    return result
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    count = 0
    for i in range(len(nums)):
        s = 0
        for j in range(i, len(nums)):
            s += nums[j]
            if lo <= s <= hi:
                count += 1
    return count
'''

TEST = r'''
def check(candidate):
    assert candidate([-2, 5, -1], -2, 2) == 3
    assert candidate([], 0, 0) == 0
    assert candidate([0], 0, 0) == 1
    assert candidate([5], 0, 4) == 0
    assert candidate([1, 1, 1], 2, 2) == 2
    assert candidate([0, 0, 0], 0, 0) == 6
    assert candidate([10**9, -10**9], -10**14, 10**14) == 3
    assert candidate([3, -3, 3], 0, 0) == 2

    import random
    rng = random.Random(99)

    def slow(a, lo, hi):
        return sum(1 for i in range(len(a)) for j in range(i, len(a)) if lo <= sum(a[i:j + 1]) <= hi)

    for _ in range(150):
        a = [rng.randint(-5, 5) for _ in range(rng.randint(0, 9))]
        lo = rng.randint(-6, 6)
        hi = lo + rng.randint(0, 5)
        assert candidate(list(a), lo, hi) == slow(a, lo, hi), (a, lo, hi)

    n = 20000
    assert candidate([1] * n, 1, n) == n * (n + 1) // 2
    assert candidate([1] * n, 100, 199) == sum(n - L + 1 for L in range(100, 200))
    big = [rng.randint(-10**9, 10**9) for _ in range(n)]
    assert candidate(big, -10**9, 10**9) == 6826822
'''
