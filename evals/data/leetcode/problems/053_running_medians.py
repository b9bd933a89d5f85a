# Two heaps: median of a growing stream.
DIFFICULTY = "hard"
ENTRY_POINT = "running_medians"

PROMPT = r'''
def running_medians(stream: list[int]) -> list[float]:
    """Integers arrive one by one. After each arrival report the median of all values
    seen so far: the middle value when the count is odd, or the mean of the two middle
    values when it is even, always as a float (e.g. 2.0 or 2.5). Return the list of
    reports, one per arrival.

    Constraints: 0 <= len(stream) <= 10**5, -10**6 <= stream[i] <= 10**6.
    Re-sorting after every arrival is too slow.

    >>> running_medians([5, 2, 8, 1])
    [5.0, 3.5, 5.0, 3.5]
    """
'''

SOLUTION = r'''
    import heapq
    low = []   # max-heap of the smaller half (negated)
    high = []  # min-heap of the larger half
    out = []
    for x in stream:
        if low and x > -low[0]:
            heapq.heappush(high, x)
        else:
            heapq.heappush(low, -x)
        if len(low) > len(high) + 1:
            heapq.heappush(high, -heapq.heappop(low))
        elif len(high) > len(low):
            heapq.heappush(low, -heapq.heappop(high))
        if len(low) > len(high):
            out.append(float(-low[0]))
        else:
            out.append((-low[0] + high[0]) / 2)
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    seen = []
    out = []
    for x in stream:
        seen.append(x)
        s = sorted(seen)
        m = len(s) // 2
        out.append(float(s[m]) if len(s) % 2 else (s[m - 1] + s[m]) / 2)
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([5, 2, 8, 1]) == [5.0, 3.5, 5.0, 3.5]
    assert candidate([]) == []
    assert candidate([7]) == [7.0]
    assert candidate([-1, -2]) == [-1.0, -1.5]
    assert candidate([3, 3, 3]) == [3.0, 3.0, 3.0]
    assert candidate([1, 2, 3, 4, 5]) == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert candidate([10**6, -10**6]) == [1e6, 0.0]
    got = candidate([1, 2])
    assert all(isinstance(v, float) for v in got)

    import random
    rng = random.Random(53)
    for _ in range(60):
        a = [rng.randint(-5, 5) for _ in range(rng.randint(0, 10))]
        exp = []
        for i in range(len(a)):
            s = sorted(a[:i + 1])
            m = len(s) // 2
            exp.append(float(s[m]) if len(s) % 2 else (s[m - 1] + s[m]) / 2)
        assert candidate(list(a)) == exp, a

    n = 50000
    up = list(range(n))
    assert candidate(up) == [i / 2 for i in range(n)]
    alt = [(-1) ** i * i for i in range(n)]
    got = candidate(alt)
    assert len(got) == n
    assert got[:6] == [0.0, -0.5, 0.0, -0.5, 0.0, -0.5]
    big = [rng.randint(-10**6, 10**6) for _ in range(n)]
    got = candidate(big)
    for i in (0, 1, 999, 30000, n - 2, n - 1):
        s = sorted(big[:i + 1])
        m = len(s) // 2
        assert got[i] == (float(s[m]) if len(s) % 2 else (s[m - 1] + s[m]) / 2)
    assert sum(got) == 416273292.5
'''
