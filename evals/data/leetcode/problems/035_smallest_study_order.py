# Topological sort with a heap (lexicographically smallest order).
DIFFICULTY = "medium"
ENTRY_POINT = "smallest_study_order"

PROMPT = r'''
def smallest_study_order(n: int, prereqs: list[list[int]]) -> list[int]:
    """Courses are numbered 0..n-1. A pair [a, b] in prereqs means course b must be
    taken before course a. Return an order containing every course exactly once that
    respects all pairs; when several orders are valid return the lexicographically
    smallest one (compare element by element). Return [] if no valid order exists
    (the requirements contain a cycle). Pairs may repeat.

    Constraints: 0 <= n <= 2 * 10**4, 0 <= len(prereqs) <= 5 * 10**4, a != b.

    >>> smallest_study_order(4, [[1, 0], [2, 0], [3, 1], [3, 2]])
    [0, 1, 2, 3]
    >>> smallest_study_order(3, [[0, 2]])
    [1, 2, 0]
    >>> smallest_study_order(2, [[0, 1], [1, 0]])
    []
    """
'''

SOLUTION = r'''
    import heapq
    after = [[] for _ in range(n)]
    indeg = [0] * n
    for a, b in prereqs:
        after[b].append(a)
        indeg[a] += 1
    heap = [v for v in range(n) if indeg[v] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        v = heapq.heappop(heap)
        order.append(v)
        for w in after[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                heapq.heappush(heap, w)
    return order if len(order) == n else []
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    from collections import deque
    after = [[] for _ in range(n)]
    indeg = [0] * n
    for a, b in prereqs:
        after[b].append(a)
        indeg[a] += 1
    q = deque(v for v in range(n) if indeg[v] == 0)
    order = []
    while q:
        v = q.popleft()
        order.append(v)
        for w in after[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                q.append(w)
    return order if len(order) == n else []
'''

TEST = r'''
def check(candidate):
    assert candidate(4, [[1, 0], [2, 0], [3, 1], [3, 2]]) == [0, 1, 2, 3]
    assert candidate(3, [[0, 2]]) == [1, 2, 0]
    assert candidate(2, [[0, 1], [1, 0]]) == []
    assert candidate(0, []) == []
    assert candidate(1, []) == [0]
    assert candidate(3, []) == [0, 1, 2]
    assert candidate(3, [[0, 1], [0, 1]]) == [1, 0, 2]
    assert candidate(3, [[0, 1], [1, 2], [2, 0]]) == []
    assert candidate(5, [[0, 4], [1, 3], [3, 4]]) == [2, 4, 0, 3, 1]
    assert candidate(4, [[3, 0], [0, 2], [1, 2]]) == [2, 0, 1, 3]

    import heapq
    import random
    rng = random.Random(35)

    def ref(n, pre):
        after = [[] for _ in range(n)]
        indeg = [0] * n
        for a, b in pre:
            after[b].append(a)
            indeg[a] += 1
        h = [v for v in range(n) if indeg[v] == 0]
        heapq.heapify(h)
        out = []
        while h:
            v = heapq.heappop(h)
            out.append(v)
            for w in after[v]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    heapq.heappush(h, w)
        return out if len(out) == n else []

    for _ in range(80):
        n = rng.randint(1, 8)
        perm = list(range(n))
        rng.shuffle(perm)
        pre = []
        for _ in range(rng.randint(0, 10)):
            i, j = rng.sample(range(n), 2) if n > 1 else (0, 0)
            if i != j:
                if rng.random() < 0.9:
                    i, j = min(i, j), max(i, j)
                pre.append([perm[j], perm[i]])
        assert candidate(n, [list(p) for p in pre]) == ref(n, pre), (n, pre)

    n = 20000
    perm = list(range(n))
    rng.shuffle(perm)
    pre = []
    for _ in range(50000):
        i = rng.randrange(n - 1)
        j = rng.randrange(i + 1, min(n, i + 50))
        pre.append([perm[j], perm[i]])
    expect = ref(n, pre)
    assert len(expect) == n
    assert candidate(n, pre) == expect
    pre.append([perm[0], perm[n - 1]])
    chain = [[perm[k + 1], perm[k]] for k in range(n - 1)]
    assert candidate(n, chain) == perm
    assert candidate(n, chain + [[perm[0], perm[n - 1]]]) == []
'''
