# Arrays: next lexicographic permutation.
DIFFICULTY = "medium"
ENTRY_POINT = "next_arrangement"

PROMPT = r'''
def next_arrangement(nums: list[int]) -> list[int]:
    """Among all distinct rearrangements of nums, sorted lexicographically, return the
    one that comes right after nums. If nums is already the last (non-increasing
    order), wrap around and return the first one (non-decreasing order).
    Return a new list; do not modify nums.

    Constraints: 0 <= len(nums) <= 10**5, 0 <= nums[i] <= 100 (duplicates allowed).

    >>> next_arrangement([1, 2, 3])
    [1, 3, 2]
    >>> next_arrangement([3, 2, 1])
    [1, 2, 3]
    >>> next_arrangement([1, 1, 5])
    [1, 5, 1]
    """
'''

SOLUTION = r'''
    a = list(nums)
    i = len(a) - 2
    while i >= 0 and a[i] >= a[i + 1]:
        i -= 1
    if i >= 0:
        j = len(a) - 1
        while a[j] <= a[i]:
            j -= 1
        a[i], a[j] = a[j], a[i]
    a[i + 1:] = reversed(a[i + 1:])
    return a
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    a = list(nums)
    i = len(a) - 2
    while i >= 0 and a[i] > a[i + 1]:
        i -= 1
    if i >= 0:
        j = len(a) - 1
        while a[j] <= a[i]:
            j -= 1
        a[i], a[j] = a[j], a[i]
    a[i + 1:] = reversed(a[i + 1:])
    return a
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 3]) == [1, 3, 2]
    assert candidate([3, 2, 1]) == [1, 2, 3]
    assert candidate([1, 1, 5]) == [1, 5, 1]
    assert candidate([]) == []
    assert candidate([4]) == [4]
    assert candidate([2, 2]) == [2, 2]
    assert candidate([1, 5, 1]) == [5, 1, 1]
    assert candidate([5, 1, 1]) == [1, 1, 5]
    assert candidate([1, 3, 2]) == [2, 1, 3]
    assert candidate([2, 3, 1, 3, 3]) == [2, 3, 3, 1, 3]
    nums = [1, 2]
    assert candidate(nums) == [2, 1] and nums == [1, 2]

    import itertools
    import random
    rng = random.Random(78)
    for _ in range(60):
        a = [rng.randint(0, 3) for _ in range(rng.randint(1, 6))]
        perms = sorted(set(itertools.permutations(a)))
        k = perms.index(tuple(a))
        assert candidate(list(a)) == list(perms[(k + 1) % len(perms)]), a

    n = 100000
    desc = sorted((i % 101 for i in range(n)), reverse=True)
    assert candidate(desc) == sorted(desc)
    big = list(range(n - 2)) + [100, 0]
    big = [x % 101 for x in big]
    assert big[-3:] == [7, 100, 0]
    exp = big[:-3] + [100, 0, 7]
    assert candidate(big) == exp
'''
