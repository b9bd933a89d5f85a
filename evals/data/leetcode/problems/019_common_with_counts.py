# Hashing: multiset intersection.
DIFFICULTY = "easy"
ENTRY_POINT = "common_with_counts"

PROMPT = r'''
def common_with_counts(a: list[int], b: list[int]) -> list[int]:
    """Return the multiset intersection of a and b: each value v appears
    min(count of v in a, count of v in b) times. The result is sorted in
    non-decreasing order.

    Constraints: 0 <= len(a), len(b) <= 10**5, -10**9 <= values <= 10**9.

    >>> common_with_counts([4, 9, 5, 9], [9, 4, 9, 8, 4])
    [4, 9, 9]
    """
'''

SOLUTION = r'''
    counts = {}
    for x in a:
        counts[x] = counts.get(x, 0) + 1
    out = []
    for x in b:
        c = counts.get(x, 0)
        if c:
            out.append(x)
            counts[x] = c - 1
    out.sort()
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([4, 9, 5, 9], [9, 4, 9, 8, 4]) == [4, 9, 9]
    assert candidate([], [1]) == []
    assert candidate([1], []) == []
    assert candidate([1, 2], [3, 4]) == []
    assert candidate([2, 2, 2], [2]) == [2]
    assert candidate([-1, -1, 0], [0, -1, -1, -1]) == [-1, -1, 0]
    assert candidate([3, 1, 2], [2, 3, 1]) == [1, 2, 3]
    n = 100000
    a = [(i * 31) % 5000 for i in range(n)]
    b = [(i * 17) % 7000 for i in range(n // 2)]
    from collections import Counter
    ca, cb = Counter(a), Counter(b)
    expect = sorted((ca & cb).elements())
    assert candidate(a, b) == expect
'''
