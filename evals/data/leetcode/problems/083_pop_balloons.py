# Interval DP: choose the best order to pop balloons.
DIFFICULTY = "hard"
ENTRY_POINT = "pop_balloons"

PROMPT = r'''
def pop_balloons(vals: list[int]) -> int:
    """Balloons stand in a row with values vals[0..n-1]. You pop them one at a time in
    any order you choose. Popping a balloon scores left * own * right, where own is its
    value and left/right are the values of its current nearest unpopped neighbours on
    each side (a missing neighbour counts as 1). After a pop the neighbours become
    adjacent. Return the maximum total score for popping all balloons (0 for none).

    Constraints: 0 <= n <= 120, 0 <= vals[i] <= 100. Trying every popping order is
    far too slow.

    >>> pop_balloons([3, 1, 5, 8])
    167
    >>> pop_balloons([1, 5])
    10
    """
'''

SOLUTION = r'''
    v = [1] + list(vals) + [1]
    m = len(v)
    # best[i][j]: max score for popping every balloon strictly between i and j
    best = [[0] * m for _ in range(m)]
    for gap in range(2, m):
        for i in range(m - gap):
            j = i + gap
            edge = v[i] * v[j]
            row_i = best[i]
            top = 0
            for k in range(i + 1, j):
                s = row_i[k] + best[k][j] + edge * v[k]
                if s > top:
                    top = s
            row_i[j] = top
    return best[0][m - 1]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # greedy: always pop the balloon with the smallest value first
    v = list(vals)
    total = 0
    while v:
        k = min(range(len(v)), key=lambda i: v[i])
        left = v[k - 1] if k > 0 else 1
        right = v[k + 1] if k + 1 < len(v) else 1
        total += left * v[k] * right
        v.pop(k)
    return total
'''

TEST = r'''
def check(candidate):
    assert candidate([3, 1, 5, 8]) == 167
    assert candidate([1, 5]) == 10
    assert candidate([]) == 0
    assert candidate([7]) == 7
    assert candidate([0]) == 0
    assert candidate([0, 0, 0]) == 0
    assert candidate([2, 3]) == 9
    assert candidate([1, 1, 1]) == 3
    assert candidate([9, 76, 64, 21]) == 116718

    import itertools
    import random
    rng = random.Random(83)

    def slow(vals):
        best = 0
        for order in itertools.permutations(range(len(vals))):
            alive = list(range(len(vals)))
            total = 0
            for k in order:
                p = alive.index(k)
                left = vals[alive[p - 1]] if p > 0 else 1
                right = vals[alive[p + 1]] if p + 1 < len(alive) else 1
                total += left * vals[k] * right
                alive.pop(p)
            best = max(best, total)
        return best

    for _ in range(40):
        a = [rng.randint(0, 9) for _ in range(rng.randint(0, 6))]
        assert candidate(list(a)) == slow(a), a

    big = [rng.randint(0, 100) for _ in range(120)]
    assert candidate(list(big)) == 42779171
    assert candidate([100] * 120) == 100 ** 3 * 118 + 100 ** 2 + 100
'''
