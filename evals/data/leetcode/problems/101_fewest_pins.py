# Greedy: minimum points stabbing all intervals.
DIFFICULTY = "medium"
ENTRY_POINT = "fewest_pins"

PROMPT = r'''
def fewest_pins(ribbons: list[list[int]]) -> int:
    """Each ribbon [a, b] covers the closed range of positions a..b (a <= b) on a
    line. A pin placed at integer position x holds every ribbon with a <= x <= b.
    Return the minimum number of pins so that every ribbon is held by at least one
    pin (0 for no ribbons).

    Constraints: 0 <= len(ribbons) <= 10**5, -10**9 <= a <= b <= 10**9.

    >>> fewest_pins([[10, 16], [2, 8], [1, 6], [7, 12]])
    2
    >>> fewest_pins([[1, 2], [3, 4]])
    2
    """
'''

SOLUTION = r'''
    pins = 0
    last = None
    for a, b in sorted(ribbons, key=lambda r: r[1]):
        if last is None or a > last:
            pins += 1
            last = b
    return pins
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    pins = 0
    last = None
    for a, b in sorted(ribbons):
        if last is None or a > last:
            pins += 1
            last = b
    return pins
'''

TEST = r'''
def check(candidate):
    assert candidate([[10, 16], [2, 8], [1, 6], [7, 12]]) == 2
    assert candidate([[1, 2], [3, 4]]) == 2
    assert candidate([]) == 0
    assert candidate([[5, 5]]) == 1
    assert candidate([[1, 2], [2, 3]]) == 1
    assert candidate([[1, 10], [2, 3], [5, 6]]) == 2
    assert candidate([[-5, -1], [-3, 0], [0, 4]]) == 2
    assert candidate([[1, 1], [1, 1], [1, 1]]) == 1

    import itertools
    import random
    rng = random.Random(101)
    for _ in range(100):
        rs = []
        for _ in range(rng.randint(0, 6)):
            a = rng.randint(0, 12)
            rs.append([a, a + rng.randint(0, 4)])
        best = 0
        if rs:
            for k in range(1, len(rs) + 1):
                if any(all(any(a <= x <= b for x in pins) for a, b in rs)
                       for pins in itertools.combinations(sorted({b for _, b in rs}), k)):
                    best = k
                    break
        assert candidate([list(r) for r in rs]) == best, rs

    n = 50000
    assert candidate([[i, i] for i in range(n)]) == n
    assert candidate([[-i, i] for i in range(n)]) == 1
    pairs = [[2 * i, 2 * i + 1] for i in range(n)]
    rng.shuffle(pairs)
    assert candidate(pairs) == n
    chain = [[i, i + 1] for i in range(0, n)]
    assert candidate(chain) == n // 2
'''
