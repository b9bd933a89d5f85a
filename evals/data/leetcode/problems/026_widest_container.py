# Two pointers: maximum area between two walls.
DIFFICULTY = "medium"
ENTRY_POINT = "widest_container"

PROMPT = r'''
def widest_container(heights: list[int]) -> int:
    """Vertical walls stand at x = 0, 1, ..., n-1 with heights heights[x]. Choosing
    two walls at positions i < j forms a container holding
    (j - i) * min(heights[i], heights[j]) units of water. Return the maximum over all
    pairs, or 0 when there are fewer than two walls.

    Constraints: 0 <= n <= 10**5, 0 <= heights[x] <= 10**4. Aim for O(n).

    >>> widest_container([1, 8, 6, 2, 5, 4, 8, 3, 7])
    49
    """
'''

SOLUTION = r'''
    i, j = 0, len(heights) - 1
    best = 0
    while i < j:
        hi, hj = heights[i], heights[j]
        if hi < hj:
            area = (j - i) * hi
            i += 1
        else:
            area = (j - i) * hj
            j -= 1
        if area > best:
            best = area
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = 0
    n = len(heights)
    for i in range(n):
        for j in range(i + 1, n):
            best = max(best, (j - i) * min(heights[i], heights[j]))
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 8, 6, 2, 5, 4, 8, 3, 7]) == 49
    assert candidate([]) == 0
    assert candidate([5]) == 0
    assert candidate([1, 1]) == 1
    assert candidate([0, 0, 0]) == 0
    assert candidate([4, 3, 2, 1, 4]) == 16
    assert candidate([1, 2, 1]) == 2
    assert candidate([2, 0, 0, 0, 1]) == 4

    import random
    rng = random.Random(26)
    for _ in range(100):
        h = [rng.randint(0, 9) for _ in range(rng.randint(0, 12))]
        slow = max([(j - i) * min(h[i], h[j]) for i in range(len(h)) for j in range(i + 1, len(h))] + [0])
        assert candidate(list(h)) == slow, h

    n = 100000
    up = list(range(1, n + 1))
    # pair (i, j) gives (j - i) * (i + 1); the best is i = 49999, j = n - 1
    assert candidate(up) == 2500000000
    h = [rng.randint(0, 10**4) for _ in range(n)]
    i, j, best = 0, n - 1, 0
    while i < j:
        best = max(best, (j - i) * min(h[i], h[j]))
        if h[i] < h[j]:
            i += 1
        else:
            j -= 1
    assert candidate(list(h)) == best
    assert candidate([10**4] * n) == (n - 1) * 10**4
'''
