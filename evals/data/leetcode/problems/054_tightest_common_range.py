# Heap over k sorted lists: smallest range hitting every list.
DIFFICULTY = "hard"
ENTRY_POINT = "tightest_common_range"

PROMPT = r'''
def tightest_common_range(lists: list[list[int]]) -> list[int]:
    """lists holds k non-empty lists, each sorted in non-decreasing order. Find the
    range [lo, hi] (lo <= hi, both integers) that contains at least one element of
    every list and has the smallest width hi - lo; among ranges of equal width pick
    the one with the smallest lo. Return [lo, hi].

    Constraints: 1 <= k <= 1000, total number of elements N <= 10**5,
    -10**9 <= values <= 10**9. Aim for O(N log k).

    >>> tightest_common_range([[4, 10, 15, 24, 26], [0, 9, 12, 20], [5, 18, 22, 30]])
    [20, 24]
    >>> tightest_common_range([[1, 2, 3], [1, 2, 3]])
    [1, 1]
    """
'''

SOLUTION = r'''
    import heapq
    heap = [(lst[0], i, 0) for i, lst in enumerate(lists)]
    heapq.heapify(heap)
    hi = max(lst[0] for lst in lists)
    best = None
    while True:
        lo, i, j = heap[0]
        if best is None or hi - lo < best[1] - best[0] or (hi - lo == best[1] - best[0] and lo < best[0]):
            best = [lo, hi]
        if j + 1 == len(lists[i]):
            return best
        nxt = lists[i][j + 1]
        heapq.heapreplace(heap, (nxt, i, j + 1))
        if nxt > hi:
            hi = nxt
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    import bisect
    values = sorted({v for lst in lists for v in lst})
    best = None
    for lo in values:
        hi = lo
        ok = True
        for lst in lists:
            k = bisect.bisect_left(lst, lo)
            if k == len(lst):
                ok = False
                break
            hi = max(hi, lst[k])
        if ok and (best is None or hi - lo < best[1] - best[0]):
            best = [lo, hi]
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([[4, 10, 15, 24, 26], [0, 9, 12, 20], [5, 18, 22, 30]]) == [20, 24]
    assert candidate([[1, 2, 3], [1, 2, 3]]) == [1, 1]
    assert candidate([[5]]) == [5, 5]
    assert candidate([[1, 9]]) == [1, 1]
    assert candidate([[1], [10]]) == [1, 10]
    assert candidate([[1, 5], [3, 7]]) == [1, 3]
    assert candidate([[-5, -5, 0], [-3, 2]]) == [-5, -3]
    assert candidate([[10, 20], [1, 2, 30]]) == [2, 10]
    assert candidate([[1, 100], [50, 101]]) == [100, 101]

    import bisect
    import random
    rng = random.Random(54)

    def slow(lists):
        best = None
        vals = sorted({v for l in lists for v in l})
        for lo in vals:
            hi = lo
            ok = True
            for l in lists:
                k = bisect.bisect_left(l, lo)
                if k == len(l):
                    ok = False
                    break
                hi = max(hi, l[k])
            if ok and (best is None or hi - lo < best[1] - best[0]):
                best = [lo, hi]
        return best

    for _ in range(100):
        ls = [sorted(rng.randint(-10, 10) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 4))]
        assert candidate([list(l) for l in ls]) == slow(ls), ls

    k = 1000
    ls = [sorted(rng.randint(-10**9, 10**9) for _ in range(100)) for _ in range(k)]
    got = candidate([list(l) for l in ls])
    lo, hi = got
    assert all(bisect.bisect_left(l, lo) < len(l) and l[bisect.bisect_left(l, lo)] <= hi for l in ls)
    assert got == [-248296499, -153586835]
    ls2 = [[i * 1000 + j for j in range(0, 100000, 1000)] for i in range(1000)]
    assert candidate(ls2) == [99000, 999000]
'''
