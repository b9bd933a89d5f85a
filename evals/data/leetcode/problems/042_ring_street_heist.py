# DP 1D: non-adjacent selection on a cycle.
DIFFICULTY = "medium"
ENTRY_POINT = "ring_street_heist"

PROMPT = r'''
def ring_street_heist(values: list[int]) -> int:
    """Houses stand in a circle; values[i] is the loot in house i, and house n-1 is
    adjacent to house 0. Choose a set of houses with no two adjacent ones (on the
    circle) to maximise the total loot; return that maximum (0 for no houses). With a
    single house, that house may be taken. With two houses, they are adjacent.

    Constraints: 0 <= len(values) <= 10**5, 0 <= values[i] <= 10**4 (deeper than
    Python's default recursion limit allows for one call per house).

    >>> ring_street_heist([2, 3, 2])
    3
    >>> ring_street_heist([1, 2, 3, 1])
    4
    """
'''

SOLUTION = r'''
    def line(vals):
        take, skip = 0, 0
        for v in vals:
            take, skip = skip + v, max(take, skip)
        return max(take, skip)

    n = len(values)
    if n == 0:
        return 0
    if n == 1:
        return values[0]
    return max(line(values[1:]), line(values[:-1]))
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    take, skip = 0, 0
    for v in values:
        take, skip = skip + v, max(take, skip)
    return max(take, skip)
'''

TEST = r'''
def check(candidate):
    assert candidate([2, 3, 2]) == 3
    assert candidate([1, 2, 3, 1]) == 4
    assert candidate([]) == 0
    assert candidate([7]) == 7
    assert candidate([0]) == 0
    assert candidate([4, 9]) == 9
    assert candidate([5, 5]) == 5
    assert candidate([1, 2, 3]) == 3
    assert candidate([5, 1, 1, 5]) == 6
    assert candidate([2, 7, 9, 3, 1]) == 11
    assert candidate([200, 3, 140, 20, 10]) == 340

    import random
    rng = random.Random(42)
    for _ in range(100):
        v = [rng.randint(0, 9) for _ in range(rng.randint(0, 10))]
        n = len(v)
        best = 0
        for mask in range(1 << n):
            ok = all(not (mask >> i & 1 and mask >> ((i + 1) % n) & 1) for i in range(n)) if n > 1 else True
            if ok:
                best = max(best, sum(v[i] for i in range(n) if mask >> i & 1))
        assert candidate(list(v)) == best, v

    n = 100000
    assert candidate([10**4] * n) == 10**4 * (n // 2)
    assert candidate([10**4] * (n - 1)) == 10**4 * ((n - 2) // 2)
    odd = [10**4 if i % 2 == 0 else 1 for i in range(n + 1)]
    assert candidate(odd) == 10**4 * (n // 2)
'''
