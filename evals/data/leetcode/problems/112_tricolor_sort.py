# Dutch national flag partition, in place.
DIFFICULTY = "medium"
ENTRY_POINT = "tricolor_sort"

PROMPT = r'''
def tricolor_sort(marbles: list[int]) -> None:
    """marbles holds only the values 0, 1 and 2. Rearrange it IN PLACE into
    non-decreasing order (all 0s, then all 1s, then all 2s) and return None.
    The intended solution is a single pass with O(1) extra memory.

    Constraints: 0 <= len(marbles) <= 10**5.

    >>> m = [2, 0, 2, 1, 1, 0]
    >>> tricolor_sort(m)
    >>> m
    [0, 0, 1, 1, 2, 2]
    """
'''

SOLUTION = r'''
    lo, mid, hi = 0, 0, len(marbles) - 1
    while mid <= hi:
        v = marbles[mid]
        if v == 0:
            marbles[lo], marbles[mid] = marbles[mid], marbles[lo]
            lo += 1
            mid += 1
        elif v == 1:
            mid += 1
        else:
            marbles[mid], marbles[hi] = marbles[hi], marbles[mid]
            hi -= 1
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    lo, mid, hi = 0, 0, len(marbles) - 1
    while mid <= hi:
        v = marbles[mid]
        if v == 0:
            marbles[lo], marbles[mid] = marbles[mid], marbles[lo]
            lo += 1
            mid += 1
        elif v == 1:
            mid += 1
        else:
            marbles[mid], marbles[hi] = marbles[hi], marbles[mid]
            hi -= 1
            mid += 1
'''

TEST = r'''
def check(candidate):
    def run(a):
        b = list(a)
        assert candidate(b) is None
        return b

    assert run([2, 0, 2, 1, 1, 0]) == [0, 0, 1, 1, 2, 2]
    assert run([]) == []
    assert run([1]) == [1]
    assert run([2, 0, 1]) == [0, 1, 2]
    assert run([2, 2, 0, 0]) == [0, 0, 2, 2]
    assert run([1, 1, 1]) == [1, 1, 1]
    assert run([2, 1, 0, 2, 1, 0]) == [0, 0, 1, 1, 2, 2]

    import itertools
    for n in range(7):
        for combo in itertools.product((0, 1, 2), repeat=n):
            assert run(combo) == sorted(combo), combo
    n = 100000
    big = [(i * 7) % 3 for i in range(n)]
    assert run(big) == sorted(big)
    assert run([2] * n + [0]) == [0] + [2] * n
'''
