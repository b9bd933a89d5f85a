# Intervals: insert into a sorted disjoint list and merge.
DIFFICULTY = "medium"
ENTRY_POINT = "insert_booking"

PROMPT = r'''
def insert_booking(bookings: list[list[int]], new: list[int]) -> list[list[int]]:
    """bookings is a list of closed intervals [s, e] (s <= e) sorted by start and
    pairwise disjoint: each booking starts after the previous one ends (next s >
    previous e). Insert the closed interval new, merging it with every booking it
    overlaps or touches at an endpoint (e.g. [1, 3] and [3, 5] merge; [1, 3] and
    [4, 5] do not), and return the resulting sorted list. Do not modify the input.

    Constraints: 0 <= len(bookings) <= 10**5, 0 <= s <= e <= 10**9.

    >>> insert_booking([[1, 3], [6, 9]], [2, 5])
    [[1, 5], [6, 9]]
    >>> insert_booking([[1, 2], [3, 5], [6, 7], [8, 10], [12, 16]], [4, 8])
    [[1, 2], [3, 10], [12, 16]]
    """
'''

SOLUTION = r'''
    a, b = new
    out = []
    i, n = 0, len(bookings)
    while i < n and bookings[i][1] < a:
        out.append(list(bookings[i]))
        i += 1
    while i < n and bookings[i][0] <= b:
        a = min(a, bookings[i][0])
        b = max(b, bookings[i][1])
        i += 1
    out.append([a, b])
    while i < n:
        out.append(list(bookings[i]))
        i += 1
    return out
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # treats touching intervals as separate
    a, b = new
    out = []
    i, n = 0, len(bookings)
    while i < n and bookings[i][1] <= a:
        out.append(list(bookings[i]))
        i += 1
    while i < n and bookings[i][0] < b:
        a = min(a, bookings[i][0])
        b = max(b, bookings[i][1])
        i += 1
    out.append([a, b])
    out.extend(list(x) for x in bookings[i:])
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([[1, 3], [6, 9]], [2, 5]) == [[1, 5], [6, 9]]
    assert candidate([[1, 2], [3, 5], [6, 7], [8, 10], [12, 16]], [4, 8]) == [[1, 2], [3, 10], [12, 16]]
    assert candidate([], [4, 7]) == [[4, 7]]
    assert candidate([[5, 7]], [1, 2]) == [[1, 2], [5, 7]]
    assert candidate([[1, 2]], [5, 7]) == [[1, 2], [5, 7]]
    assert candidate([[1, 3]], [3, 5]) == [[1, 5]]
    assert candidate([[3, 5]], [1, 3]) == [[1, 5]]
    assert candidate([[1, 3]], [4, 5]) == [[1, 3], [4, 5]]
    assert candidate([[1, 5]], [2, 3]) == [[1, 5]]
    assert candidate([[2, 3], [5, 6]], [0, 10]) == [[0, 10]]
    assert candidate([[1, 1], [3, 3]], [2, 2]) == [[1, 1], [2, 2], [3, 3]]
    bk = [[1, 2], [4, 5]]
    candidate(bk, [2, 4])
    assert bk == [[1, 2], [4, 5]]

    import random
    rng = random.Random(132)

    def slow(bk, new):
        cover = set()
        for s, e in bk + [new]:
            cover.update(range(2 * s, 2 * e + 1))
        out = []
        for p in sorted(cover):
            if out and p == out[-1][1] + 1:
                out[-1][1] = p
            else:
                out.append([p, p])
        return [[s // 2, e // 2] for s, e in out]

    for _ in range(200):
        pts = sorted(rng.sample(range(0, 30), 2 * rng.randint(0, 5)))
        bk = [[pts[2 * i], pts[2 * i + 1]] for i in range(len(pts) // 2)]
        bk = [iv for j, iv in enumerate(bk) if j == 0 or iv[0] > bk[j - 1][1]]
        s = rng.randint(0, 30)
        new = [s, s + rng.randint(0, 6)]
        assert candidate([list(x) for x in bk], list(new)) == slow(bk, new), (bk, new)

    n = 100000
    bk = [[10 * i, 10 * i + 5] for i in range(n)]
    assert candidate(bk, [10 * n + 100, 10 * n + 200]) == bk + [[10 * n + 100, 10 * n + 200]]
    assert candidate(bk, [5, 10 * (n - 1)]) == [[0, 10 * (n - 1) + 5]]
    assert candidate(bk, [6, 9]) == bk[:1] + [[6, 9]] + bk[1:]
'''
