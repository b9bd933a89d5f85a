# Hashing: longest run of consecutive integers (unsorted input).
DIFFICULTY = "medium"
ENTRY_POINT = "longest_consecutive_values"

PROMPT = r'''
def longest_consecutive_values(nums: list[int]) -> int:
    """Return the length of the longest sequence of consecutive integers
    v, v + 1, ..., v + k - 1 that all occur in nums (in any positions, duplicates
    ignored). Return 0 for an empty list.

    Constraints: 0 <= len(nums) <= 2 * 10**5, -10**9 <= nums[i] <= 10**9.
    Aim for O(n) expected time.

    >>> longest_consecutive_values([100, 4, 200, 1, 3, 2])
    4
    """
'''

SOLUTION = r'''
    values = set(nums)
    best = 0
    for v in values:
        if v - 1 not in values:
            w = v
            while w + 1 in values:
                w += 1
            if w - v + 1 > best:
                best = w - v + 1
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    values = set(nums)
    best = 0
    for v in values:
        w = v
        while w + 1 in values:
            w += 1
        best = max(best, w - v + 1)
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([100, 4, 200, 1, 3, 2]) == 4
    assert candidate([]) == 0
    assert candidate([5]) == 1
    assert candidate([5, 5, 5]) == 1
    assert candidate([1, 2, 0, 1]) == 3
    assert candidate([0, 3, 7, 2, 5, 8, 4, 6, 0, 1]) == 9
    assert candidate([-2, -1, 1, 2]) == 2
    assert candidate([10**9, -10**9]) == 1
    assert candidate([9, 1, 4, 7, 3, -1, 0, 5, 8, -1, 6]) == 7

    import random
    rng = random.Random(68)
    for _ in range(100):
        a = [rng.randint(-8, 8) for _ in range(rng.randint(0, 10))]
        s = set(a)
        exp = max([k for v in s for k in range(1, 20) if all(v + i in s for i in range(k))] + [0])
        assert candidate(list(a)) == exp, a

    n = 200000
    run = list(range(-n // 2, n // 2))
    rng.shuffle(run)
    assert candidate(run) == n
    gaps = [3 * (i // 2) + i % 2 for i in range(n)]
    assert candidate(gaps) == 2
'''
