# Two pointers: water trapped between bars.
DIFFICULTY = "hard"
ENTRY_POINT = "trapped_rain"

PROMPT = r'''
def trapped_rain(heights: list[int]) -> int:
    """heights[i] is the height of a bar of width 1 at position i. After rain, water
    settles above bar i up to the level min(tallest bar at or left of i, tallest bar
    at or right of i), so the water above bar i is that level minus heights[i].
    Return the total amount of trapped water.

    Constraints: 0 <= len(heights) <= 2 * 10**5, 0 <= heights[i] <= 10**5.
    An O(n^2) algorithm is too slow.

    >>> trapped_rain([0, 1, 0, 2, 1, 0, 1, 3, 2, 1, 2, 1])
    6
    >>> trapped_rain([4, 2, 0, 3, 2, 5])
    9
    """
'''

SOLUTION = r'''
    i, j = 0, len(heights) - 1
    left_max = right_max = 0
    water = 0
    while i < j:
        if heights[i] < heights[j]:
            if heights[i] >= left_max:
                left_max = heights[i]
            else:
                water += left_max - heights[i]
            i += 1
        else:
            if heights[j] >= right_max:
                right_max = heights[j]
            else:
                water += right_max - heights[j]
            j -= 1
    return water
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    water = 0
    for i in range(len(heights)):
        level = min(max(heights[: i + 1]), max(heights[i:]))
        water += level - heights[i]
    return water
'''

TEST = r'''
def check(candidate):
    assert candidate([0, 1, 0, 2, 1, 0, 1, 3, 2, 1, 2, 1]) == 6
    assert candidate([4, 2, 0, 3, 2, 5]) == 9
    assert candidate([]) == 0
    assert candidate([5]) == 0
    assert candidate([5, 5]) == 0
    assert candidate([3, 0, 3]) == 3
    assert candidate([1, 2, 3, 4]) == 0
    assert candidate([4, 3, 2, 1]) == 0
    assert candidate([2, 0, 1, 0, 2]) == 5
    assert candidate([5, 0, 0, 0, 1]) == 3

    import random
    rng = random.Random(49)
    for _ in range(100):
        h = [rng.randint(0, 6) for _ in range(rng.randint(0, 12))]
        slow = sum(min(max(h[:i + 1]), max(h[i:])) - h[i] for i in range(len(h)))
        assert candidate(list(h)) == slow, h

    n = 100000
    valley = [10**5] + [0] * (n - 2) + [10**5]
    assert candidate(valley) == 10**5 * (n - 2)
    saw = [i % 1000 for i in range(n)]
    assert candidate(saw) == 99 * (999 * 1000 // 2)
    big = [rng.randint(0, 10**5) for _ in range(n)]
    left = [0] * n
    m = 0
    for i, x in enumerate(big):
        m = max(m, x)
        left[i] = m
    m = total = 0
    for i in range(n - 1, -1, -1):
        m = max(m, big[i])
        total += min(m, left[i]) - big[i]
    assert candidate(big) == total
'''
