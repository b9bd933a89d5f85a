# Hashing: count equal pairs.
DIFFICULTY = "easy"
ENTRY_POINT = "count_twin_pairs"

PROMPT = r'''
def count_twin_pairs(nums: list[int]) -> int:
    """Return the number of index pairs (i, j) with i < j and nums[i] == nums[j].

    Constraints: 0 <= len(nums) <= 10**5, -10**9 <= nums[i] <= 10**9.
    The answer can exceed 2**32.

    >>> count_twin_pairs([1, 2, 3, 1, 1, 3])
    4
    """
'''

SOLUTION = r'''
    seen = {}
    pairs = 0
    for x in nums:
        c = seen.get(x, 0)
        pairs += c
        seen[x] = c + 1
    return pairs
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 3, 1, 1, 3]) == 4
    assert candidate([]) == 0
    assert candidate([4]) == 0
    assert candidate([1, 1, 1, 1]) == 6
    assert candidate([1, 2, 3]) == 0
    assert candidate([-1, 1, -1]) == 1
    n = 100000
    assert candidate([0] * n) == n * (n - 1) // 2
    assert candidate(list(range(n))) == 0
    a = [i % 7 for i in range(n)]
    from collections import Counter
    assert candidate(a) == sum(c * (c - 1) // 2 for c in Counter(a).values())
'''
