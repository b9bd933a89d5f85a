# Fenwick tree / merge sort: count smaller elements to the right.
DIFFICULTY = "hard"
ENTRY_POINT = "smaller_after_counts"

PROMPT = r'''
def smaller_after_counts(nums: list[int]) -> list[int]:
    """Return a list counts of the same length as nums where counts[i] is the number
    of indices j > i with nums[j] < nums[i] (strictly smaller).

    Constraints: 0 <= len(nums) <= 3 * 10**4, -10**9 <= nums[i] <= 10**9.
    O(n^2) is too slow; aim for O(n log n).

    >>> smaller_after_counts([5, 2, 6, 1])
    [2, 1, 1, 0]
    >>> smaller_after_counts([-1, -1])
    [0, 0]
    """
'''

SOLUTION = r'''
    ranks = {v: r for r, v in enumerate(sorted(set(nums)), 1)}
    size = len(ranks)
    tree = [0] * (size + 1)
    out = [0] * len(nums)
    for i in range(len(nums) - 1, -1, -1):
        r = ranks[nums[i]]
        k = r - 1
        total = 0
        while k > 0:
            total += tree[k]
            k -= k & -k
        out[i] = total
        while r <= size:
            tree[r] += 1
            r += r & -r
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    n = len(nums)
    return [sum(1 for j in range(i + 1, n) if nums[j] < nums[i]) for i in range(n)]
'''

TEST = r'''
def check(candidate):
    assert candidate([5, 2, 6, 1]) == [2, 1, 1, 0]
    assert candidate([-1, -1]) == [0, 0]
    assert candidate([]) == []
    assert candidate([7]) == [0]
    assert candidate([1, 2, 3]) == [0, 0, 0]
    assert candidate([3, 2, 1]) == [2, 1, 0]
    assert candidate([2, 0, 1, 0]) == [3, 0, 1, 0]
    assert candidate([10**9, -10**9, 0]) == [2, 0, 0]

    import random
    rng = random.Random(57)
    for _ in range(100):
        a = [rng.randint(-4, 4) for _ in range(rng.randint(0, 10))]
        exp = [sum(1 for j in range(i + 1, len(a)) if a[j] < a[i]) for i in range(len(a))]
        assert candidate(list(a)) == exp, a

    n = 30000
    assert candidate(list(range(n, 0, -1))) == list(range(n - 1, -1, -1))
    assert candidate([5] * n) == [0] * n
    big = [rng.randint(-10**9, 10**9) for _ in range(n)]
    got = candidate(list(big))
    assert len(got) == n
    assert sum(got) == 225375318
    for i in (0, 1, 12345, n - 2):
        assert got[i] == sum(1 for x in big[i + 1:] if x < big[i])
'''
