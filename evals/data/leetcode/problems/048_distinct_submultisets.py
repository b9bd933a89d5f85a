# Backtracking with duplicates: all distinct sub-multisets.
DIFFICULTY = "medium"
ENTRY_POINT = "distinct_submultisets"

PROMPT = r'''
def distinct_submultisets(nums: list[int]) -> list[list[int]]:
    """nums may contain repeated values. Return every distinct sub-multiset of nums
    (choose any subset of positions; two choices are the same sub-multiset when they
    hold the same values with the same multiplicities), including the empty one.
    Each sub-multiset is a list sorted in non-decreasing order, and the returned list
    is sorted lexicographically (so [] comes first and [1, 2] comes before [2]).

    Constraints: 0 <= len(nums) <= 16, -10 <= nums[i] <= 10.

    >>> distinct_submultisets([2, 1, 2])
    [[], [1], [1, 2], [1, 2, 2], [2], [2, 2]]
    """
'''

SOLUTION = r'''
    counts = {}
    for x in nums:
        counts[x] = counts.get(x, 0) + 1
    values = sorted(counts)
    out = [[]]
    for v in reversed(values):
        # prepend 0..count copies of v to every sub-multiset of the larger values
        nxt = []
        for rest in out:
            for c in range(counts[v] + 1):
                nxt.append([v] * c + rest)
        out = nxt
    out.sort()
    return out
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    a = sorted(nums)
    out = []
    for mask in range(1 << len(a)):
        out.append([a[i] for i in range(len(a)) if mask >> i & 1])
    out.sort()
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([2, 1, 2]) == [[], [1], [1, 2], [1, 2, 2], [2], [2, 2]]
    assert candidate([]) == [[]]
    assert candidate([5]) == [[], [5]]
    assert candidate([0, 0]) == [[], [0], [0, 0]]
    assert candidate([1, 2, 3]) == [[], [1], [1, 2], [1, 2, 3], [1, 3], [2], [2, 3], [3]]
    assert candidate([-1, 1, -1]) == [[], [-1], [-1, -1], [-1, -1, 1], [-1, 1], [1]]
    nums = [3, 3, 1]
    candidate(nums)
    assert nums == [3, 3, 1]

    import itertools
    import random
    rng = random.Random(48)
    for _ in range(40):
        a = [rng.randint(-2, 2) for _ in range(rng.randint(0, 8))]
        exp = sorted({tuple(sorted(c)) for r in range(len(a) + 1) for c in itertools.combinations(a, r)})
        assert candidate(list(a)) == [list(t) for t in exp], a

    big = list(range(-8, 8))
    got = candidate(big)
    assert len(got) == 1 << 16
    assert got[0] == [] and got[1] == [-8] and got[-1] == [7]
    assert all(got[i] < got[i + 1] for i in range(len(got) - 1))
    dup = [4] * 8 + [-3] * 8
    got = candidate(dup)
    assert got == sorted([[-3] * i + [4] * j for i in range(9) for j in range(9)])
'''
