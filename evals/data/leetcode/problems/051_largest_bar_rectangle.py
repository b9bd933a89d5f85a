# Monotonic stack: largest rectangle under a histogram.
DIFFICULTY = "hard"
ENTRY_POINT = "largest_bar_rectangle"

PROMPT = r'''
def largest_bar_rectangle(bars: list[int]) -> int:
    """bars[i] is the height of a histogram bar of width 1 at position i (bars stand
    side by side). Return the area of the largest axis-aligned rectangle that fits
    entirely inside the histogram, i.e. max over i <= j of
    (j - i + 1) * min(bars[i..j]); 0 for no bars.

    Constraints: 0 <= len(bars) <= 10**5, 0 <= bars[i] <= 10**4.
    An O(n^2) algorithm is too slow.

    >>> largest_bar_rectangle([2, 1, 5, 6, 2, 3])
    10
    """
'''

SOLUTION = r'''
    stack = []  # indices of bars with increasing heights
    best = 0
    for i, h in enumerate(bars + [0]):
        start = i
        while stack and bars[stack[-1]] >= h:
            j = stack.pop()
            left = stack[-1] + 1 if stack else 0
            area = bars[j] * (i - left)
            if area > best:
                best = area
        stack.append(i)
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = 0
    for i in range(len(bars)):
        low = bars[i]
        for j in range(i, len(bars)):
            low = min(low, bars[j])
            best = max(best, low * (j - i + 1))
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([2, 1, 5, 6, 2, 3]) == 10
    assert candidate([]) == 0
    assert candidate([0]) == 0
    assert candidate([7]) == 7
    assert candidate([2, 4]) == 4
    assert candidate([3, 3, 3]) == 9
    assert candidate([1, 2, 3, 4, 5]) == 9
    assert candidate([5, 4, 3, 2, 1]) == 9
    assert candidate([0, 9, 0]) == 9
    assert candidate([6, 2, 5, 4, 5, 1, 6]) == 12

    import random
    rng = random.Random(51)
    for _ in range(100):
        b = [rng.randint(0, 6) for _ in range(rng.randint(0, 10))]
        slow = max([min(b[i:j + 1]) * (j - i + 1) for i in range(len(b)) for j in range(i, len(b))] + [0])
        b2 = list(b)
        assert candidate(b2) == slow, b

    n = 100000
    assert candidate([10**4] * n) == 10**9
    assert candidate(list(range(1, n + 1))) == max((n - k + 1) * k for k in (n // 2, n // 2 + 1))
    pyramid = [min(i + 1, n - i) for i in range(n)]
    assert candidate(pyramid) == max(h * (n - 2 * (h - 1)) for h in range(n // 4 - 2, n // 4 + 3))
'''
