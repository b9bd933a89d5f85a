# Greedy with a max-heap: minimum refuelling stops.
DIFFICULTY = "hard"
ENTRY_POINT = "fewest_refuels"

PROMPT = r'''
def fewest_refuels(target: int, fuel: int, stations: list[list[int]]) -> int:
    """A car starts at position 0 with fuel units of fuel and drives east towards
    position target, burning one unit per unit of distance. stations[i] = [pos, amount]
    is a fuel station at position pos (0 < pos < target) offering amount units; the
    car may stop there and take all of it (the tank has no capacity limit). Stations
    are sorted by position (several may share a position). Reaching a position with
    exactly 0 fuel left is fine. Return the minimum number of stops needed to reach
    target, or -1 if it cannot be reached.

    Constraints: 1 <= target <= 10**9, 0 <= fuel <= 10**9,
    0 <= len(stations) <= 10**5, 1 <= amount <= 10**9.
    Trying subsets of stations is far too slow.

    >>> fewest_refuels(100, 10, [[10, 60], [20, 30], [30, 30], [60, 40]])
    2
    >>> fewest_refuels(100, 1, [[10, 100]])
    -1
    """
'''

SOLUTION = r'''
    import heapq
    passed = []  # max-heap (negated) of fuel amounts at stations already driven past
    stops = 0
    tank = fuel
    i = 0
    while tank < target:
        while i < len(stations) and stations[i][0] <= tank:
            heapq.heappush(passed, -stations[i][1])
            i += 1
        if not passed:
            return -1
        tank += -heapq.heappop(passed)
        stops += 1
    return stops
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # stop at every reachable station in order only when the tank would run dry
    stops = 0
    tank = fuel
    for pos, amount in stations:
        if tank >= target:
            return stops
        if pos > tank:
            return -1
        if tank < target and (stations.index([pos, amount]) + 1 == len(stations) or
                              stations[stations.index([pos, amount]) + 1][0] > tank):
            tank += amount
            stops += 1
    return stops if tank >= target else -1
'''

TEST = r'''
def check(candidate):
    assert candidate(100, 10, [[10, 60], [20, 30], [30, 30], [60, 40]]) == 2
    assert candidate(100, 1, [[10, 100]]) == -1
    assert candidate(1, 1, []) == 0
    assert candidate(100, 100, [[50, 7]]) == 0
    assert candidate(100, 50, [[50, 50]]) == 1
    assert candidate(100, 49, [[50, 50]]) == -1
    assert candidate(100, 50, [[25, 25], [50, 25]]) == 2
    assert candidate(100, 50, [[25, 10], [25, 50]]) == 1
    assert candidate(100, 50, [[25, 10], [25, 40]]) == 2
    assert candidate(10, 0, [[5, 5]]) == -1
    assert candidate(1000, 299, [[13, 21], [84, 5], [299, 100], [299, 701]]) == 1

    import itertools
    import random
    rng = random.Random(100)

    def slow(target, fuel, st):
        for r in range(len(st) + 1):
            for combo in itertools.combinations(range(len(st)), r):
                tank, ok = fuel, True
                for idx in combo:
                    if st[idx][0] > tank:
                        ok = False
                        break
                    tank += st[idx][1]
                if ok and tank >= target:
                    return r
        return -1

    for _ in range(100):
        target = rng.randint(1, 30)
        st = sorted([rng.randint(1, target - 1), rng.randint(1, 10)] for _ in range(rng.randint(0, 6)) if target > 1)
        fuel = rng.randint(0, 12)
        assert candidate(target, fuel, [list(s) for s in st]) == slow(target, fuel, st), (target, fuel, st)

    n = 100000
    st = [[i + 1, 1] for i in range(n)]
    assert candidate(n + 1, 1, st) == n
    assert candidate(n + 2, 1, st) == -1
    st2 = [[i * 10 + 1, 10 + (i % 7 == 0) * 60] for i in range(n)]
    assert candidate(10 * n, 10, st2) == 14286
'''
