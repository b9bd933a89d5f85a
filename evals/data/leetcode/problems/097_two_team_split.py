# Graph two-colouring (bipartite check) with BFS.
DIFFICULTY = "medium"
ENTRY_POINT = "two_team_split"

PROMPT = r'''
def two_team_split(n: int, rivals: list[list[int]]) -> bool:
    """n players 0..n-1 must be split into two teams (a team may be empty). Each pair
    [u, v] in rivals says players u and v refuse to be on the same team. Return True if
    such a split exists. A pair [u, u] (a player who refuses to be with themself)
    makes it impossible.

    Constraints: 1 <= n <= 10**5, 0 <= len(rivals) <= 2 * 10**5. Rivalry chains can be
    very long, so deep recursion is not safe.

    >>> two_team_split(4, [[0, 1], [1, 2], [2, 3]])
    True
    >>> two_team_split(3, [[0, 1], [1, 2], [2, 0]])
    False
    """
'''

SOLUTION = r'''
    from collections import deque
    adj = [[] for _ in range(n)]
    for u, v in rivals:
        if u == v:
            return False
        adj[u].append(v)
        adj[v].append(u)
    team = [-1] * n
    for s in range(n):
        if team[s] >= 0:
            continue
        team[s] = 0
        q = deque([s])
        while q:
            u = q.popleft()
            for v in adj[u]:
                if team[v] < 0:
                    team[v] = 1 - team[u]
                    q.append(v)
                elif team[v] == team[u]:
                    return False
    return True
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # colours greedily in input order without propagating through components
    team = {}
    for u, v in rivals:
        if u == v:
            return False
        if u not in team and v not in team:
            team[u], team[v] = 0, 1
        elif u not in team:
            team[u] = 1 - team[v]
        elif v not in team:
            team[v] = 1 - team[u]
        elif team[u] == team[v]:
            return False
    return True
'''

TEST = r'''
def check(candidate):
    assert candidate(4, [[0, 1], [1, 2], [2, 3]]) is True
    assert candidate(3, [[0, 1], [1, 2], [2, 0]]) is False
    assert candidate(1, []) is True
    assert candidate(1, [[0, 0]]) is False
    assert candidate(2, [[0, 1], [1, 0]]) is True
    assert candidate(4, [[0, 1], [2, 3], [1, 2]]) is True
    assert candidate(4, [[0, 1], [2, 3], [1, 3], [0, 2]]) is True
    assert candidate(5, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0]]) is False
    assert candidate(6, [[0, 1], [2, 3], [4, 5], [1, 3], [3, 5], [5, 1]]) is False

    import random
    rng = random.Random(97)

    def slow(n, rs):
        for mask in range(1 << n):
            if all((mask >> u & 1) != (mask >> v & 1) for u, v in rs):
                return True
        return False

    for _ in range(150):
        n = rng.randint(1, 7)
        rs = [[rng.randrange(n), rng.randrange(n)] for _ in range(rng.randint(0, 7))]
        assert candidate(n, [list(r) for r in rs]) is slow(n, rs), (n, rs)

    n = 30000
    path = [[i, i + 1] for i in range(n - 1)]
    rng.shuffle(path)
    assert candidate(n, path) is True
    assert candidate(n, path + [[0, n - 1]]) is (n % 2 == 0)
    assert candidate(n, path + [[0, n - 2]]) is False
    grid = [[i, i + 1] for i in range(n - 1) if (i + 1) % 100] + [[i, i + 100] for i in range(n - 100)]
    assert candidate(n, grid) is True
    assert candidate(n, grid + [[5050, 5252]]) is False
'''
