# Greedy: starting point of a circular route.
DIFFICULTY = "medium"
ENTRY_POINT = "loop_start_station"

PROMPT = r'''
def loop_start_station(fuel: list[int], cost: list[int]) -> int:
    """Stations 0..n-1 lie on a circular road. At station i you may take fuel[i]
    units of fuel, and driving from station i to station (i + 1) % n burns cost[i]
    units. You start with an empty tank at some station, take its fuel, and must drive
    around the whole circle back to it, never letting the tank go below zero.
    Return the smallest starting index that works, or -1 if none does.

    Constraints: 1 <= n <= 10**5, 0 <= fuel[i], cost[i] <= 10**4.

    >>> loop_start_station([1, 2, 3, 4, 5], [3, 4, 5, 1, 2])
    3
    >>> loop_start_station([2, 3, 4], [3, 4, 3])
    -1
    """
'''

SOLUTION = r'''
    n = len(fuel)
    if sum(fuel) < sum(cost):
        return -1
    # With enough total fuel, the start after the point where the running balance is
    # lowest works; among all valid starts pick the smallest index, so check every
    # index whose prefix balance before it equals the minimum.
    balance = 0
    low = 0
    prefix = [0] * n
    for i in range(n):
        prefix[i] = balance
        balance += fuel[i] - cost[i]
    low = min(prefix)
    for i in range(n):
        if prefix[i] == low:
            return i
    return -1
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    n = len(fuel)
    for s in range(n):
        tank = 0
        ok = True
        for k in range(n):
            i = (s + k) % n
            tank += fuel[i] - cost[i]
            if tank < 0:
                ok = False
                break
        if ok:
            return s
    return -1
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 3, 4, 5], [3, 4, 5, 1, 2]) == 3
    assert candidate([2, 3, 4], [3, 4, 3]) == -1
    assert candidate([5], [5]) == 0
    assert candidate([4], [5]) == -1
    assert candidate([0], [0]) == 0
    assert candidate([1, 1, 1], [1, 1, 1]) == 0
    assert candidate([0, 0, 3], [1, 1, 1]) == 2
    assert candidate([3, 0, 0, 3], [1, 2, 0, 3]) == 0
    assert candidate([2, 0, 2, 0], [1, 1, 1, 1]) == 0

    import random
    rng = random.Random(72)

    def slow(f, c):
        n = len(f)
        for s in range(n):
            tank = 0
            for k in range(n):
                i = (s + k) % n
                tank += f[i] - c[i]
                if tank < 0:
                    break
            else:
                return s
        return -1

    for _ in range(200):
        n = rng.randint(1, 7)
        f = [rng.randint(0, 4) for _ in range(n)]
        c = [rng.randint(0, 4) for _ in range(n)]
        assert candidate(list(f), list(c)) == slow(f, c), (f, c)

    n = 100000
    f = [1] * n
    c = [1] * n
    assert candidate(f, c) == 0
    f2 = [0] * (n - 1) + [n]
    c2 = [1] * n
    assert candidate(f2, c2) == n - 1
    f3 = [10**4] * n
    c3 = [10**4] * (n - 1) + [10**4 + 1]
    assert candidate(f3, c3) == -1
    f4 = [rng.randint(0, 100) for _ in range(n)]
    c4 = [rng.randint(0, 100) for _ in range(n)]
    c4[0] += max(0, sum(f4) - sum(c4))
    bal, low, exp = 0, None, -1
    for i in range(n):
        if low is None or bal < low:
            low, exp = bal, i
        bal += f4[i] - c4[i]
    assert candidate(f4, c4) == (exp if bal >= 0 else -1)
'''
