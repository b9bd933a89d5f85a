# Heap: k-th largest over a growing stream.
DIFFICULTY = "medium"
ENTRY_POINT = "running_kth_largest"

PROMPT = r'''
from typing import Optional


def running_kth_largest(k: int, stream: list[int]) -> list[Optional[int]]:
    """Values arrive one by one from stream. After each arrival, report the k-th
    largest value seen so far (counting duplicates: in [5, 5, 3] the 2nd largest is
    5), or None while fewer than k values have arrived. Return the list of reports,
    one per arrival.

    Constraints: 1 <= k <= 10**5, 0 <= len(stream) <= 10**5,
    -10**9 <= stream[i] <= 10**9.

    >>> running_kth_largest(2, [4, 1, 7, 3, 9])
    [None, 1, 4, 4, 7]
    """
'''

SOLUTION = r'''
    import heapq
    heap = []
    out = []
    for x in stream:
        if len(heap) < k:
            heapq.heappush(heap, x)
        elif x > heap[0]:
            heapq.heapreplace(heap, x)
        out.append(heap[0] if len(heap) == k else None)
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    seen = []
    out = []
    for x in stream:
        seen.append(x)
        seen.sort(reverse=True)
        out.append(seen[k - 1] if len(seen) >= k else None)
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate(2, [4, 1, 7, 3, 9]) == [None, 1, 4, 4, 7]
    assert candidate(1, []) == []
    assert candidate(1, [3, -1, 5]) == [3, 3, 5]
    assert candidate(3, [1, 2]) == [None, None]
    assert candidate(2, [5, 5, 3]) == [None, 5, 5]
    assert candidate(3, [-5, -5, -5, -6]) == [None, None, -5, -5]
    assert candidate(2, [10**9, -10**9, 0]) == [None, -10**9, 0]

    import random
    rng = random.Random(44)
    for _ in range(60):
        k = rng.randint(1, 5)
        s = [rng.randint(-5, 5) for _ in range(rng.randint(0, 10))]
        exp = [sorted(s[:i + 1], reverse=True)[k - 1] if i + 1 >= k else None for i in range(len(s))]
        assert candidate(k, list(s)) == exp, (k, s)

    n = 100000
    up = list(range(n))
    assert candidate(1000, up) == [None] * 999 + [i - 999 for i in range(999, n)]
    down = list(range(n, 0, -1))
    assert candidate(50000, down) == [None] * 49999 + [n - 49999] * (n - 49999)
'''
