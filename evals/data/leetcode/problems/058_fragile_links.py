# Graph: bridges via iterative low-link DFS.
DIFFICULTY = "hard"
ENTRY_POINT = "fragile_links"

PROMPT = r'''
def fragile_links(n: int, edges: list[list[int]]) -> list[list[int]]:
    """An undirected graph has nodes 0..n-1 and the given edges [u, v] (u != v, no
    repeated pairs). An edge is fragile (a bridge) when removing it increases the
    number of connected components. Return all fragile edges, each written as [a, b]
    with a < b, the list sorted in increasing order. The graph need not be connected.

    Constraints: 1 <= n <= 2 * 10**4, 0 <= len(edges) <= 4 * 10**4. Paths can be
    very long (recursion depth may exceed 10**4). Removing each edge and re-checking
    connectivity is too slow.

    >>> fragile_links(4, [[0, 1], [1, 2], [2, 0], [1, 3]])
    [[1, 3]]
    """
'''

SOLUTION = r'''
    adj = [[] for _ in range(n)]
    for idx, (u, v) in enumerate(edges):
        adj[u].append((v, idx))
        adj[v].append((u, idx))
    disc = [0] * n
    low = [0] * n
    timer = 1
    out = []
    for root in range(n):
        if disc[root]:
            continue
        disc[root] = low[root] = timer
        timer += 1
        stack = [(root, -1, 0)]  # (node, edge index used to enter it, next adjacency position)
        while stack:
            u, pe, pos = stack[-1]
            if pos < len(adj[u]):
                stack[-1] = (u, pe, pos + 1)
                v, idx = adj[u][pos]
                if idx == pe:
                    continue
                if disc[v]:
                    if disc[v] < low[u]:
                        low[u] = disc[v]
                else:
                    disc[v] = low[v] = timer
                    timer += 1
                    stack.append((v, idx, 0))
            else:
                stack.pop()
                if stack:
                    p = stack[-1][0]
                    if low[u] < low[p]:
                        low[p] = low[u]
                    if low[u] > disc[p]:
                        out.append([min(u, p), max(u, p)])
    out.sort()
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    def components(skip):
        adj = [[] for _ in range(n)]
        for i, (u, v) in enumerate(edges):
            if i != skip:
                adj[u].append(v)
                adj[v].append(u)
        seen = [False] * n
        count = 0
        for s in range(n):
            if not seen[s]:
                count += 1
                seen[s] = True
                stack = [s]
                while stack:
                    x = stack.pop()
                    for y in adj[x]:
                        if not seen[y]:
                            seen[y] = True
                            stack.append(y)
        return count

    base = components(-1)
    out = [sorted(e) for i, e in enumerate(edges) if components(i) > base]
    out.sort()
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate(4, [[0, 1], [1, 2], [2, 0], [1, 3]]) == [[1, 3]]
    assert candidate(1, []) == []
    assert candidate(2, [[1, 0]]) == [[0, 1]]
    assert candidate(3, []) == []
    assert candidate(3, [[0, 1], [1, 2], [2, 0]]) == []
    assert candidate(5, [[0, 1], [1, 2], [3, 4]]) == [[0, 1], [1, 2], [3, 4]]
    assert candidate(6, [[0, 1], [1, 2], [2, 0], [2, 3], [3, 4], [4, 5], [5, 3]]) == [[2, 3]]
    assert candidate(4, [[3, 2], [2, 1], [1, 0], [0, 3]]) == []
    assert candidate(5, [[0, 1], [0, 2], [0, 3], [0, 4]]) == [[0, 1], [0, 2], [0, 3], [0, 4]]

    import random
    rng = random.Random(58)

    def slow(n, es):
        def comps(skip):
            parent = list(range(n))
            def find(x):
                while parent[x] != x:
                    x = parent[x]
                return x
            c = n
            for i, (u, v) in enumerate(es):
                if i != skip:
                    a, b = find(u), find(v)
                    if a != b:
                        parent[a] = b
                        c -= 1
            return c
        base = comps(-1)
        return sorted(sorted(e) for i, e in enumerate(es) if comps(i) > base)

    for _ in range(100):
        n = rng.randint(1, 8)
        pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
        es = [list(p) if rng.random() < 0.5 else [p[1], p[0]] for p in rng.sample(pairs, rng.randint(0, min(len(pairs), 9)))]
        assert candidate(n, [list(e) for e in es]) == slow(n, es), (n, es)

    n = 20000
    path = [[i, i + 1] for i in range(n - 1)]
    assert candidate(n, path) == path
    ring = path + [[n - 1, 0]]
    assert candidate(n, ring) == []
    # a long path of triangles joined by single bridges
    es = []
    bridges = []
    for b in range(0, n - 3, 3):
        es += [[b, b + 1], [b + 1, b + 2], [b, b + 2]]
        if b + 3 < n - 2:
            es.append([b + 2, b + 3])
            bridges.append([b + 2, b + 3])
    rng.shuffle(es)
    assert candidate(n, es) == bridges
'''
