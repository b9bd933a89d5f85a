# Sorting + two pointers: unique triples summing to zero.
DIFFICULTY = "medium"
ENTRY_POINT = "zero_sum_triples"

PROMPT = r'''
def zero_sum_triples(nums: list[int]) -> list[list[int]]:
    """Return every distinct triple of values [a, b, c] with a + b + c == 0 that can be
    formed from three different positions of nums. Each triple is listed once,
    sorted so that a <= b <= c, and the list of triples is sorted lexicographically.

    Constraints: 0 <= len(nums) <= 1500, -10**5 <= nums[i] <= 10**5.

    >>> zero_sum_triples([-1, 0, 1, 2, -1, -4])
    [[-1, -1, 2], [-1, 0, 1]]
    >>> zero_sum_triples([0, 0, 0, 0])
    [[0, 0, 0]]
    """
'''

SOLUTION = r'''
    a = sorted(nums)
    n = len(a)
    out = []
    for i in range(n - 2):
        if a[i] > 0:
            break
        if i and a[i] == a[i - 1]:
            continue
        lo, hi = i + 1, n - 1
        while lo < hi:
            s = a[i] + a[lo] + a[hi]
            if s < 0:
                lo += 1
            elif s > 0:
                hi -= 1
            else:
                out.append([a[i], a[lo], a[hi]])
                lo += 1
                while lo < hi and a[lo] == a[lo - 1]:
                    lo += 1
                hi -= 1
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    found = set()
    n = len(nums)
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(j + 1, n):
                if nums[i] + nums[j] + nums[k] == 0:
                    found.add(tuple(sorted((nums[i], nums[j], nums[k]))))
    return [list(t) for t in sorted(found)]
'''

TEST = r'''
def check(candidate):
    assert candidate([-1, 0, 1, 2, -1, -4]) == [[-1, -1, 2], [-1, 0, 1]]
    assert candidate([0, 0, 0, 0]) == [[0, 0, 0]]
    assert candidate([]) == []
    assert candidate([0]) == []
    assert candidate([0, 0]) == []
    assert candidate([1, 2, -3]) == [[-3, 1, 2]]
    assert candidate([1, 1, -2, -2, 4]) == [[-2, -2, 4], [-2, 1, 1]]
    assert candidate([3, -1, -2, 0, 0]) == [[-2, -1, 3]]
    assert candidate([-2, 1, 1, 1]) == [[-2, 1, 1]]
    assert candidate([2, -1]) == []

    import random
    rng = random.Random(25)

    def slow(a):
        found = set()
        for i in range(len(a)):
            for j in range(i + 1, len(a)):
                for k in range(j + 1, len(a)):
                    if a[i] + a[j] + a[k] == 0:
                        found.add(tuple(sorted((a[i], a[j], a[k]))))
        return [list(t) for t in sorted(found)]

    for _ in range(80):
        a = [rng.randint(-6, 6) for _ in range(rng.randint(0, 10))]
        assert candidate(list(a)) == slow(a), a

    big = [rng.randint(-20000, 20000) for _ in range(1200)]
    big += big[::4]
    got = candidate(list(big))
    assert got == sorted(got)
    assert all(len(t) == 3 and t[0] <= t[1] <= t[2] and sum(t) == 0 for t in got)
    assert len(got) == len(set(map(tuple, got))) == 5257
    assert sum((i + 1) * (t[0] * 3 + t[1] * 7 + t[2]) for i, t in enumerate(got)) == -315729641080
'''
