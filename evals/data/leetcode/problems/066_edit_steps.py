# DP 2D: Levenshtein distance.
DIFFICULTY = "medium"
ENTRY_POINT = "edit_steps"

PROMPT = r'''
def edit_steps(a: str, b: str) -> int:
    """Return the minimum number of single-character operations that turn a into b,
    where an operation inserts one character, deletes one character, or replaces one
    character by another.

    Constraints: 0 <= len(a), len(b) <= 200; any characters.

    >>> edit_steps("horse", "ros")
    3
    >>> edit_steps("", "abc")
    3
    """
'''

SOLUTION = r'''
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1]
            else:
                cur[j] = 1 + min(prev[j - 1], prev[j], cur[j - 1])
        prev = cur
    return prev[-1]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # common-subsequence based guess: ignores that a replacement costs 1, not 2
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            cur[j] = prev[j - 1] + 1 if ca == cb else max(prev[j], cur[j - 1])
        prev = cur
    return len(a) + len(b) - 2 * prev[-1]
'''

TEST = r'''
def check(candidate):
    assert candidate("horse", "ros") == 3
    assert candidate("", "abc") == 3
    assert candidate("abc", "") == 3
    assert candidate("", "") == 0
    assert candidate("same", "same") == 0
    assert candidate("a", "b") == 1
    assert candidate("intention", "execution") == 5
    assert candidate("kitten", "sitting") == 3
    assert candidate("abc", "cba") == 2
    assert candidate("ab", "ba") == 2
    assert candidate("flaw", "lawn") == 2

    import random
    rng = random.Random(66)

    def slow(x, y):
        d = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
        for i in range(len(x) + 1):
            for j in range(len(y) + 1):
                if i == 0 or j == 0:
                    d[i][j] = i + j
                else:
                    d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] != y[j - 1]))
        return d[-1][-1]

    for _ in range(100):
        x = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        y = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        assert candidate(x, y) == slow(x, y), (x, y)
    s = "".join(rng.choice("acgt") for _ in range(200))
    t = "".join(rng.choice("acgt") for _ in range(200))
    assert candidate(s, t) == slow(s, t)
    assert candidate("a" * 200, "b" * 200) == 200
    assert candidate(s, "x" + s[:-1]) <= 2
'''
