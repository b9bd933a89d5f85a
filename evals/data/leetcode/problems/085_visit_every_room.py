# BFS over (node, visited-set) states with bitmasks.
DIFFICULTY = "hard"
ENTRY_POINT = "visit_every_room"

PROMPT = r'''
def visit_every_room(doors: list[list[int]]) -> int:
    """A building has n rooms 0..n-1; doors[i] lists the rooms directly connected to
    room i (connections are two-way and the lists are consistent). You may start in
    any room, walk through one door per step, and revisit rooms and doors freely.
    Return the minimum number of steps needed to have been in every room at least
    once. The building is connected.

    Constraints: 1 <= n <= 12. Trying every order of the rooms is too slow.

    >>> visit_every_room([[1, 2, 3], [0], [0], [0]])
    4
    >>> visit_every_room([[1], [0, 2, 4], [1, 3, 4], [2], [1, 2]])
    4
    """
'''

SOLUTION = r'''
    from collections import deque
    n = len(doors)
    full = (1 << n) - 1
    seen = [[False] * (1 << n) for _ in range(n)]
    q = deque()
    for v in range(n):
        seen[v][1 << v] = True
        q.append((v, 1 << v, 0))
    while q:
        v, mask, d = q.popleft()
        if mask == full:
            return d
        for w in doors[v]:
            m2 = mask | (1 << w)
            if not seen[w][m2]:
                seen[w][m2] = True
                q.append((w, m2, d + 1))
    return -1
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    import itertools
    from collections import deque
    n = len(doors)
    dist = []
    for s in range(n):
        d = [-1] * n
        d[s] = 0
        q = deque([s])
        while q:
            v = q.popleft()
            for w in doors[v]:
                if d[w] < 0:
                    d[w] = d[v] + 1
                    q.append(w)
        dist.append(d)
    best = None
    for order in itertools.permutations(range(n)):
        total = sum(dist[a][b] for a, b in zip(order, order[1:]))
        if best is None or total < best:
            best = total
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([[1, 2, 3], [0], [0], [0]]) == 4
    assert candidate([[1], [0, 2, 4], [1, 3, 4], [2], [1, 2]]) == 4
    assert candidate([[]]) == 0
    assert candidate([[1], [0]]) == 1
    assert candidate([[1, 2], [0, 2], [0, 1]]) == 2
    assert candidate([[1], [0, 2], [1, 3], [2]]) == 3
    # star with 5 leaves: every leaf but the first and last needs a return trip
    assert candidate([[1, 2, 3, 4, 5], [0], [0], [0], [0], [0]]) == 8

    import itertools
    import random
    from collections import deque
    rng = random.Random(85)

    def slow(doors):
        n = len(doors)
        dist = []
        for s in range(n):
            d = [-1] * n
            d[s] = 0
            q = deque([s])
            while q:
                v = q.popleft()
                for w in doors[v]:
                    if d[w] < 0:
                        d[w] = d[v] + 1
                        q.append(w)
            dist.append(d)
        return min(sum(dist[a][b] for a, b in zip(p, p[1:])) for p in itertools.permutations(range(n)))

    def random_graph(n, extra):
        adj = [set() for _ in range(n)]
        for v in range(1, n):
            u = rng.randrange(v)
            adj[u].add(v)
            adj[v].add(u)
        for _ in range(extra):
            a, b = rng.sample(range(n), 2)
            adj[a].add(b)
            adj[b].add(a)
        return [sorted(s) for s in adj]

    for _ in range(40):
        g = random_graph(rng.randint(2, 6), rng.randint(0, 4))
        assert candidate([list(x) for x in g]) == slow(g), g

    # path 0-1-...-11: walk it end to end
    path = [[w for w in (v - 1, v + 1) if 0 <= w < 12] for v in range(12)]
    assert candidate(path) == 11
    # star with 11 leaves
    star = [list(range(1, 12))] + [[0] for _ in range(11)]
    assert candidate(star) == 2 * 11 - 2 + 0
    complete = [[w for w in range(12) if w != v] for v in range(12)]
    assert candidate(complete) == 11
    g = random_graph(12, 3)
    assert candidate(g) == 13
'''
