# Union-find: connected components.
DIFFICULTY = "medium"
ENTRY_POINT = "network_groups"

PROMPT = r'''
def network_groups(n: int, links: list[list[int]]) -> int:
    """There are n machines numbered 0..n-1 and a list of undirected cables
    links[i] = [u, v] connecting machine u and machine v. Machines that can reach each
    other through cables form one group. Return the number of groups. Links may
    repeat, may form cycles, and may connect a machine to itself.

    Constraints: 0 <= n <= 2 * 10**5, 0 <= len(links) <= 2 * 10**5, 0 <= u, v < n.

    >>> network_groups(5, [[0, 1], [1, 2], [3, 4]])
    2
    >>> network_groups(3, [])
    3
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

    groups = n
    for u, v in links:
        ru, rv = find(u), find(v)
        if ru != rv:
            parent[ru] = rv
            groups -= 1
    return groups
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    return n - len(links)
'''

TEST = r'''
def check(candidate):
    assert candidate(5, [[0, 1], [1, 2], [3, 4]]) == 2
    assert candidate(3, []) == 3
    assert candidate(0, []) == 0
    assert candidate(1, [[0, 0]]) == 1
    assert candidate(3, [[0, 1], [1, 0], [0, 1]]) == 2
    assert candidate(4, [[0, 1], [1, 2], [2, 0]]) == 2
    assert candidate(4, [[3, 2], [2, 1], [1, 0]]) == 1
    assert candidate(6, [[5, 5], [4, 4]]) == 6

    import random
    rng = random.Random(36)
    for _ in range(60):
        n = rng.randint(1, 9)
        links = [[rng.randrange(n), rng.randrange(n)] for _ in range(rng.randint(0, 8))]
        label = list(range(n))
        changed = True
        while changed:
            changed = False
            for u, v in links:
                m = min(label[u], label[v])
                if label[u] != m or label[v] != m:
                    label[u] = label[v] = m
                    changed = True
        assert candidate(n, [list(l) for l in links]) == len(set(label)), (n, links)

    n = 50000
    # chains of length 10 (9 links each), plus redundant cycle-closing links
    links = [[i, i + 1] for i in range(n - 1) if (i + 1) % 10 != 0]
    links += [[i, i + 9] for i in range(0, n, 10)]
    rng.shuffle(links)
    assert candidate(n, links) == n // 10
    star = [[0, i] for i in range(1, n)] + [[i, i - 1] for i in range(2, n, 2)]
    assert candidate(n, star) == 1
'''
