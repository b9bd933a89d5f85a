# Sweep line / heap: maximum number of simultaneous meetings.
DIFFICULTY = "medium"
ENTRY_POINT = "rooms_needed"

PROMPT = r'''
def rooms_needed(meetings: list[list[int]]) -> int:
    """Each meeting [start, end] occupies a room during the half-open time interval
    [start, end): a meeting ending at time t and another starting at time t can use
    the same room. Return the minimum number of rooms so that every meeting gets a
    room for its whole duration (0 for no meetings).

    Constraints: 0 <= len(meetings) <= 10**5, 0 <= start < end <= 10**9.

    >>> rooms_needed([[0, 30], [5, 10], [15, 20]])
    2
    >>> rooms_needed([[1, 5], [5, 9]])
    1
    """
'''

SOLUTION = r'''
    starts = sorted(m[0] for m in meetings)
    ends = sorted(m[1] for m in meetings)
    rooms = best = 0
    j = 0
    for s in starts:
        while j < len(ends) and ends[j] <= s:
            j += 1
            rooms -= 1
        rooms += 1
        if rooms > best:
            best = rooms
    return best
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    starts = sorted(m[0] for m in meetings)
    ends = sorted(m[1] for m in meetings)
    rooms = best = 0
    j = 0
    for s in starts:
        while j < len(ends) and ends[j] < s:
            j += 1
            rooms -= 1
        rooms += 1
        best = max(best, rooms)
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([[0, 30], [5, 10], [15, 20]]) == 2
    assert candidate([[1, 5], [5, 9]]) == 1
    assert candidate([]) == 0
    assert candidate([[3, 4]]) == 1
    assert candidate([[1, 2], [1, 2], [1, 2]]) == 3
    assert candidate([[1, 10], [2, 3], [3, 4], [4, 5]]) == 2
    assert candidate([[5, 8], [1, 5], [8, 9]]) == 1
    assert candidate([[0, 10**9], [0, 1], [1, 2]]) == 2

    import random
    rng = random.Random(29)
    for _ in range(100):
        ms = []
        for _ in range(rng.randint(0, 8)):
            s = rng.randint(0, 15)
            ms.append([s, s + rng.randint(1, 5)])
        slow = max([sum(1 for a, b in ms if a <= t < b) for t in range(0, 25)] + [0])
        assert candidate([list(m) for m in ms]) == slow, ms

    n = 100000
    assert candidate([[i, i + 1] for i in range(n)]) == 1
    assert candidate([[i, 2 * n - i] for i in range(n)]) == n
    assert candidate([[i, i + 100] for i in range(0, n, 1)]) == 100
'''
