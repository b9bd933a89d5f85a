# Binary search on the answer.
DIFFICULTY = "medium"
ENTRY_POINT = "min_daily_capacity"

PROMPT = r'''
def min_daily_capacity(loads: list[int], days: int) -> int:
    """Parcels must be shipped in the given order: loads[i] is the weight of parcel i.
    Each day the truck takes the next parcels in order as long as their total weight
    stays within its capacity C (parcels are never split or reordered). Return the
    smallest integer C that ships every parcel within at most `days` days.

    Constraints: 1 <= len(loads) <= 5 * 10**4, 1 <= loads[i] <= 10**4,
    1 <= days <= len(loads).

    >>> min_daily_capacity([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5)
    15
    >>> min_daily_capacity([3, 2, 2, 4, 1, 4], 3)
    6
    """
'''

SOLUTION = r'''
    def days_needed(cap):
        d, cur = 1, 0
        for w in loads:
            if cur + w > cap:
                d += 1
                cur = 0
            cur += w
        return d

    lo, hi = max(loads), sum(loads)
    while lo < hi:
        mid = (lo + hi) // 2
        if days_needed(mid) <= days:
            hi = mid
        else:
            lo = mid + 1
    return lo
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    cap = max(loads)
    while True:
        d, cur = 1, 0
        for w in loads:
            if cur + w > cap:
                d += 1
                cur = 0
            cur += w
        if d <= days:
            return cap
        cap += 1
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) == 15
    assert candidate([3, 2, 2, 4, 1, 4], 3) == 6
    assert candidate([1, 2, 3, 1, 1], 4) == 3
    assert candidate([7], 1) == 7
    assert candidate([5, 5, 5], 3) == 5
    assert candidate([5, 5, 5], 1) == 15
    assert candidate([10, 1, 1, 1], 2) == 10
    assert candidate([1, 1, 1, 10], 2) == 10
    assert candidate([2, 9, 2], 2) == 11

    import random
    rng = random.Random(31)
    for _ in range(60):
        a = [rng.randint(1, 9) for _ in range(rng.randint(1, 8))]
        d = rng.randint(1, len(a))
        cap = max(a)
        while True:
            used, cur = 1, 0
            for w in a:
                if cur + w > cap:
                    used, cur = used + 1, 0
                cur += w
            if used <= d:
                break
            cap += 1
        assert candidate(list(a), d) == cap, (a, d)

    n = 20000
    assert candidate([10**4] * n, 1) == 10**4 * n
    assert candidate([10**4] * n, n) == 10**4
    assert candidate([1] * n, 7) == 2858
    big = [rng.randint(1, 10**4) for _ in range(n)]
    got = candidate(list(big), 40)

    def days_needed(cap):
        d, cur = 1, 0
        for w in big:
            if cur + w > cap:
                d, cur = d + 1, 0
            cur += w
        return d

    assert days_needed(got) <= 40 < days_needed(got - 1)
'''
