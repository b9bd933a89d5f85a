# Dijkstra: single-source shortest paths.
DIFFICULTY = "medium"
ENTRY_POINT = "broadcast_delay"

PROMPT = r'''
def broadcast_delay(n: int, wires: list[list[int]], source: int) -> int:
    """A network has nodes 0..n-1. Each wire [u, v, t] is a one-way link: a signal
    at u reaches v after t time units. A signal starts at node source at time 0 and
    travels along every wire. Return the time at which the last node receives it
    (the largest shortest-path time from source), or -1 if some node never receives
    it. Several wires may join the same pair of nodes.

    Constraints: 1 <= n <= 2 * 10**4, 0 <= len(wires) <= 6 * 10**4,
    0 <= t <= 10**4, 0 <= source < n.

    >>> broadcast_delay(4, [[1, 0, 1], [1, 2, 1], [2, 3, 1]], 1)
    2
    >>> broadcast_delay(2, [[0, 1, 5]], 1)
    -1
    """
'''

SOLUTION = r'''
    import heapq
    adj = [[] for _ in range(n)]
    for u, v, t in wires:
        adj[u].append((v, t))
    INF = float("inf")
    dist = [INF] * n
    dist[source] = 0
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, t in adj[u]:
            nd = d + t
            if nd < dist[v]:
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    worst = max(dist)
    return -1 if worst == INF else worst
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    from collections import deque
    adj = [[] for _ in range(n)]
    for u, v, t in wires:
        adj[u].append((v, t))
    dist = [None] * n
    dist[source] = 0
    q = deque([source])
    while q:
        u = q.popleft()
        for v, t in adj[u]:
            if dist[v] is None:
                dist[v] = dist[u] + t
                q.append(v)
    return -1 if None in dist else max(dist)
'''

TEST = r'''
def check(candidate):
    assert candidate(4, [[1, 0, 1], [1, 2, 1], [2, 3, 1]], 1) == 2
    assert candidate(2, [[0, 1, 5]], 1) == -1
    assert candidate(1, [], 0) == 0
    assert candidate(2, [[0, 1, 5], [0, 1, 3]], 0) == 3
    assert candidate(3, [[0, 1, 10], [0, 2, 1], [2, 1, 2]], 0) == 3
    assert candidate(3, [[0, 1, 0], [1, 2, 0]], 0) == 0
    assert candidate(3, [[0, 1, 4], [1, 0, 1]], 0) == -1
    assert candidate(4, [[0, 1, 1], [0, 2, 5], [1, 2, 1], [2, 3, 1], [1, 3, 6]], 0) == 3

    import random
    rng = random.Random(45)

    def slow(n, wires, s):
        INF = float("inf")
        d = [INF] * n
        d[s] = 0
        for _ in range(n):
            for u, v, t in wires:
                if d[u] + t < d[v]:
                    d[v] = d[u] + t
        m = max(d)
        return -1 if m == INF else m

    for _ in range(80):
        n = rng.randint(1, 7)
        ws = [[rng.randrange(n), rng.randrange(n), rng.randint(0, 9)] for _ in range(rng.randint(0, 14))]
        s = rng.randrange(n)
        assert candidate(n, [list(w) for w in ws], s) == slow(n, ws, s), (n, ws, s)

    n = 20000
    # a cheap chain 0 -> 1 -> ... -> n-1 plus expensive shortcuts that BFS order would take first
    wires = [[i, i + 1, 1] for i in range(n - 1)]
    wires += [[0, i, 10**4] for i in range(2, n, 7)]
    rng.shuffle(wires)
    assert candidate(n, wires, 0) == 10006
    wires2 = [[rng.randrange(n), rng.randrange(n), rng.randint(0, 10**4)] for _ in range(40000)]
    wires2 += [[i, (i + 1) % n, 10**4] for i in range(n)]
    got = candidate(n, wires2, 5)
    assert got == 101490
'''
