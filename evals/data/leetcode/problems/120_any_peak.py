# Binary search on a slope; any valid answer is accepted.
DIFFICULTY = "medium"
ENTRY_POINT = "any_peak"

PROMPT = r'''
def any_peak(nums: list[int]) -> int:
    """nums is non-empty and no two adjacent elements are equal. A peak is an index i
    whose value is strictly greater than its neighbours (positions outside the list
    count as minus infinity, so index 0 is a peak if nums[0] > nums[1], and a
    one-element list has peak 0). Return the index of ANY peak; one always exists.

    Constraints: 1 <= len(nums) <= 10**6. Your function will be called many times on
    large inputs: it must run in O(log n) time per call (no linear scan).

    >>> any_peak([1, 2, 3, 1])
    2
    >>> any_peak([1, 2, 1, 3, 5, 6, 4]) in (1, 5)
    True
    """
'''

SOLUTION = r'''
    lo, hi = 0, len(nums) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if nums[mid] < nums[mid + 1]:
            lo = mid + 1
        else:
            hi = mid
    return lo
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    return max(range(len(nums)), key=nums.__getitem__)
'''

TEST = r'''
def check(candidate):
    def is_peak(a, i):
        return (isinstance(i, int) and 0 <= i < len(a)
                and (i == 0 or a[i] > a[i - 1]) and (i == len(a) - 1 or a[i] > a[i + 1]))

    for a in ([1, 2, 3, 1], [1, 2, 1, 3, 5, 6, 4], [5], [1, 2], [2, 1], [3, 1, 2], [1, 3, 2, 4, 1],
              [-5, -3, -4], [10, 9, 8, 7], [1, 2, 3, 4]):
        assert is_peak(a, candidate(list(a))), a

    import random
    rng = random.Random(120)
    for _ in range(200):
        a = [rng.randint(0, 5)]
        for _ in range(rng.randint(0, 9)):
            a.append(rng.choice([x for x in range(6) if x != a[-1]]))
        assert is_peak(a, candidate(list(a))), a

    n = 10**6
    up = list(range(n))
    down = list(range(n, 0, -1))
    zig = [i if i % 2 == 0 else i + 5 for i in range(n)]
    for _ in range(300):
        assert candidate(up) == n - 1
        assert candidate(down) == 0
        assert is_peak(zig, candidate(zig))
'''
