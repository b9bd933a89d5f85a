# Hashing + sorting/heap: top-k by frequency with a deterministic tie-break.
DIFFICULTY = "medium"
ENTRY_POINT = "frequent_values"

PROMPT = r'''
def frequent_values(nums: list[int], k: int) -> list[int]:
    """Return the k values that occur most often in nums, ordered by decreasing
    number of occurrences; values with the same number of occurrences are ordered
    by increasing value. k never exceeds the number of distinct values.

    Constraints: 0 <= len(nums) <= 10**5, 0 <= k <= number of distinct values,
    -10**9 <= nums[i] <= 10**9.

    >>> frequent_values([4, 1, 1, 2, 2, 3, 4, 4], 2)
    [4, 1]
    """
'''

SOLUTION = r'''
    import heapq
    counts = {}
    for x in nums:
        counts[x] = counts.get(x, 0) + 1
    best = heapq.nsmallest(k, counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [v for v, _ in best]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    counts = {}
    for x in nums:
        counts[x] = counts.get(x, 0) + 1
    order = sorted(counts, key=lambda v: -counts[v])
    return order[:k]
'''

TEST = r'''
def check(candidate):
    assert candidate([4, 1, 1, 2, 2, 3, 4, 4], 2) == [4, 1]
    assert candidate([4, 1, 1, 2, 2, 3, 4, 4], 4) == [4, 1, 2, 3]
    assert candidate([], 0) == []
    assert candidate([7], 1) == [7]
    assert candidate([5, 5, 3], 0) == []
    assert candidate([3, 2, 1], 2) == [1, 2]
    assert candidate([9, 9, -9, -9, 0], 3) == [-9, 9, 0]
    assert candidate([2, 2, 2, 1, 1, 3], 1) == [2]
    n = 100000
    nums = [(i * i) % 1009 - 500 for i in range(n)]
    from collections import Counter
    c = Counter(nums)
    expect = sorted(c, key=lambda v: (-c[v], v))
    assert candidate(list(nums), 10) == expect[:10]
    assert candidate(list(nums), len(c)) == expect
'''
