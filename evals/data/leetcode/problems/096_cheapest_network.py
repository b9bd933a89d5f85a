# Minimum spanning tree (Kruskal with union-find).
DIFFICULTY = "medium"
ENTRY_POINT = "cheapest_network"

PROMPT = r'''
def cheapest_network(n: int, offers: list[list[int]]) -> int:
    """n sites 0..n-1 must all be connected (directly or through other sites). Each
    offer [u, v, price] is a cable that can be laid between sites u and v for that
    price (offers are undirected; several offers may join the same pair). Return the
    minimum total price of a set of offers that connects all sites, or -1 if even all
    offers together cannot connect them. A single site needs no cable (0).

    Constraints: 1 <= n <= 2 * 10**4, 0 <= len(offers) <= 6 * 10**4,
    0 <= price <= 10**6, u != v.

    >>> cheapest_network(4, [[0, 1, 3], [1, 2, 1], [0, 2, 2], [2, 3, 7], [1, 3, 9]])
    10
    >>> cheapest_network(3, [[0, 1, 5]])
    -1
    """
'''

SOLUTION = r'''
    parent = list(range(n))

    def find(x):
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    total = 0
    joined = 1
    for u, v, price in sorted(offers, key=lambda o: o[2]):
        ru, rv = find(u), find(v)
        if ru != rv:
            parent[ru] = rv
            total += price
            joined += 1
            if joined == n:
                break
    return total if joined == n else -1
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # greedy from site 0 that never reconsiders: take the cheapest offer leaving the
    # most recently added site only
    if n == 1:
        return 0
    adj = [[] for _ in range(n)]
    for u, v, p in offers:
        adj[u].append((p, v))
        adj[v].append((p, u))
    seen = {0}
    cur = 0
    total = 0
    while len(seen) < n:
        options = [(p, v) for p, v in adj[cur] if v not in seen]
        if not options:
            options = [(p, v) for s in seen for p, v in adj[s] if v not in seen]
            if not options:
                return -1
        p, v = min(options)
        seen.add(v)
        total += p
        cur = v
    return total
'''

TEST = r'''
def check(candidate):
    assert candidate(4, [[0, 1, 3], [1, 2, 1], [0, 2, 2], [2, 3, 7], [1, 3, 9]]) == 10
    assert candidate(3, [[0, 1, 5]]) == -1
    assert candidate(1, []) == 0
    assert candidate(2, []) == -1
    assert candidate(2, [[0, 1, 4], [1, 0, 2]]) == 2
    assert candidate(3, [[0, 1, 0], [1, 2, 0]]) == 0
    assert candidate(4, [[0, 1, 1], [2, 3, 1]]) == -1
    assert candidate(4, [[0, 1, 10], [1, 2, 1], [2, 3, 1], [3, 0, 1]]) == 3

    import itertools
    import random
    rng = random.Random(96)

    def slow(n, offers):
        best = -1
        for r in range(n - 1, n):
            for combo in itertools.combinations(offers, r):
                label = list(range(n))
                for u, v, _ in combo:
                    a, b = label[u], label[v]
                    label = [a if x == b else x for x in label]
                if len(set(label)) == 1:
                    cost = sum(p for _, _, p in combo)
                    if best < 0 or cost < best:
                        best = cost
        return best if n > 1 else 0

    for _ in range(60):
        n = rng.randint(1, 5)
        offers = []
        for _ in range(rng.randint(0, 7)):
            u, v = rng.sample(range(n), 2) if n > 1 else (0, 0)
            if u != v:
                offers.append([u, v, rng.randint(0, 9)])
        assert candidate(n, [list(o) for o in offers]) == slow(n, offers), (n, offers)

    n = 20000
    chain = [[i, i + 1, 5] for i in range(n - 1)]
    shortcuts = [[i, (i * 7 + 3) % n, 1] for i in range(0, n, 2) if (i * 7 + 3) % n != i]
    offers = chain + shortcuts
    rng.shuffle(offers)
    assert candidate(n, offers) == 59995
    assert candidate(n, chain[:-1]) == -1
'''
