# Greedy / BFS by levels: minimum jumps to the end.
DIFFICULTY = "medium"
ENTRY_POINT = "fewest_hops"

PROMPT = r'''
def fewest_hops(reach: list[int]) -> int:
    """You stand on index 0 of reach. From index i you may jump to any index
    i + 1, ..., i + reach[i] (a jump length of 0 means you cannot move from there).
    Return the minimum number of jumps to land on the last index, 0 if the list has
    one element, or -1 if the last index cannot be reached.

    Constraints: 1 <= len(reach) <= 10**5, 0 <= reach[i] <= 10**5.

    >>> fewest_hops([2, 3, 1, 1, 4])
    2
    >>> fewest_hops([3, 2, 1, 0, 4])
    -1
    """
'''

SOLUTION = r'''
    n = len(reach)
    jumps = 0
    end = 0       # farthest index reachable with `jumps` jumps
    farthest = 0  # farthest index reachable with `jumps + 1` jumps
    for i in range(n - 1):
        if i > end:
            return -1
        if i + reach[i] > farthest:
            farthest = i + reach[i]
        if i == end:
            if farthest <= i:
                return -1
            jumps += 1
            end = farthest
            if end >= n - 1:
                return jumps
    return jumps
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    n = len(reach)
    INF = float("inf")
    best = [INF] * n
    best[0] = 0
    for i in range(n):
        if best[i] == INF:
            continue
        for j in range(i + 1, min(n, i + reach[i] + 1)):
            if best[i] + 1 < best[j]:
                best[j] = best[i] + 1
    return -1 if best[-1] == INF else best[-1]
'''

TEST = r'''
def check(candidate):
    assert candidate([2, 3, 1, 1, 4]) == 2
    assert candidate([3, 2, 1, 0, 4]) == -1
    assert candidate([0]) == 0
    assert candidate([5]) == 0
    assert candidate([0, 1]) == -1
    assert candidate([1, 0]) == 1
    assert candidate([1, 1, 1, 1]) == 3
    assert candidate([4, 0, 0, 0, 0]) == 1
    assert candidate([2, 0, 2, 0, 1]) == 2
    assert candidate([1, 2, 0, 1, 0]) == 3

    import random
    rng = random.Random(71)

    def slow(r):
        n = len(r)
        INF = float("inf")
        best = [INF] * n
        best[0] = 0
        for i in range(n):
            for j in range(i + 1, min(n, i + r[i] + 1)):
                best[j] = min(best[j], best[i] + 1)
        return -1 if best[-1] == INF else best[-1]

    for _ in range(150):
        r = [rng.randint(0, 3) for _ in range(rng.randint(1, 10))]
        assert candidate(list(r)) == slow(r), r

    n = 100000
    assert candidate([n] * n) == 1
    assert candidate([1] * n) == n - 1
    assert candidate([2] * (n // 2) + [0] * (n // 2)) == -1
    big = [50000 - i if i < 50000 else 100000 for i in range(n)]
    assert candidate(big) == 2
    steps = [(i % 50) + 1 for i in range(n)]
    assert candidate(steps) == 2005
'''
