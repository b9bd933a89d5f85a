# Bellman-Ford limited to k+1 rounds.
DIFFICULTY = "medium"
ENTRY_POINT = "cheapest_route_limited_hops"

PROMPT = r'''
def cheapest_route_limited_hops(n: int, flights: list[list[int]], src: int, dst: int, k: int) -> int:
    """Cities are 0..n-1; each flight [u, v, price] is a one-way flight from u to v.
    Return the cheapest total price of a trip from src to dst that uses at most k
    intermediate stops (at most k + 1 flights), or -1 if no such trip exists.
    If src == dst the answer is 0.

    Constraints: 1 <= n <= 1000, 0 <= len(flights) <= 2 * 10**4, 0 <= price <= 10**4,
    0 <= k < n. Several flights may join the same pair of cities.

    >>> cheapest_route_limited_hops(4, [[0, 1, 100], [1, 2, 100], [2, 0, 100], [1, 3, 600], [2, 3, 200]], 0, 3, 1)
    700
    >>> cheapest_route_limited_hops(3, [[0, 1, 100], [1, 2, 100], [0, 2, 500]], 0, 2, 0)
    500
    """
'''

SOLUTION = r'''
    INF = float("inf")
    cost = [INF] * n
    cost[src] = 0
    for _ in range(k + 1):
        nxt = cost[:]
        changed = False
        for u, v, p in flights:
            if cost[u] + p < nxt[v]:
                nxt[v] = cost[u] + p
                changed = True
        cost = nxt
        if not changed:
            break
    return -1 if cost[dst] == INF else cost[dst]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # relaxes in place, so one round can chain several flights
    INF = float("inf")
    cost = [INF] * n
    cost[src] = 0
    for _ in range(k + 1):
        for u, v, p in flights:
            if cost[u] + p < cost[v]:
                cost[v] = cost[u] + p
    return -1 if cost[dst] == INF else cost[dst]
'''

TEST = r'''
def check(candidate):
    assert candidate(4, [[0, 1, 100], [1, 2, 100], [2, 0, 100], [1, 3, 600], [2, 3, 200]], 0, 3, 1) == 700
    assert candidate(3, [[0, 1, 100], [1, 2, 100], [0, 2, 500]], 0, 2, 0) == 500
    assert candidate(3, [[0, 1, 100], [1, 2, 100], [0, 2, 500]], 0, 2, 1) == 200
    assert candidate(1, [], 0, 0, 0) == 0
    assert candidate(2, [], 0, 1, 1) == -1
    assert candidate(2, [[1, 0, 5]], 0, 1, 1) == -1
    assert candidate(2, [[0, 1, 5], [0, 1, 3]], 0, 1, 0) == 3
    assert candidate(3, [[0, 1, 0], [1, 2, 0]], 0, 2, 0) == -1
    assert candidate(3, [[0, 1, 0], [1, 2, 0]], 0, 2, 1) == 0
    assert candidate(4, [[0, 1, 1], [1, 2, 1], [2, 3, 1], [0, 3, 10]], 0, 3, 1) == 10

    import heapq
    import random
    rng = random.Random(108)

    def slow(n, fl, s, d, k):
        # Dijkstra over (city, flights used) states
        best = {}
        h = [(0, s, 0)]
        while h:
            c, u, used = heapq.heappop(h)
            if u == d:
                return c
            if best.get((u, used), float("inf")) < c or used == k + 1:
                continue
            for a, b, p in fl:
                if a == u and c + p < best.get((b, used + 1), float("inf")):
                    best[(b, used + 1)] = c + p
                    heapq.heappush(h, (c + p, b, used + 1))
        return -1

    for _ in range(120):
        n = rng.randint(1, 6)
        fl = [[rng.randrange(n), rng.randrange(n), rng.randint(0, 9)] for _ in range(rng.randint(0, 10))]
        fl = [f for f in fl if f[0] != f[1]]
        s, d = rng.randrange(n), rng.randrange(n)
        k = rng.randrange(n)
        assert candidate(n, [list(f) for f in fl], s, d, k) == slow(n, fl, s, d, k), (n, fl, s, d, k)

    n = 1000
    chain = [[i, i + 1, 1] for i in range(n - 1)]
    direct = [[0, n - 1, 10**4]]
    assert candidate(n, chain + direct, 0, n - 1, n - 2) == n - 1
    assert candidate(n, chain + direct, 0, n - 1, n - 3) == 10**4
    fl = [[rng.randrange(n), rng.randrange(n), rng.randint(0, 10**4)] for _ in range(20000)]
    assert candidate(n, fl, 0, 1, 3) == 2744
'''
