# DP 2D: longest common subsequence.
DIFFICULTY = "medium"
ENTRY_POINT = "common_subsequence_length"

PROMPT = r'''
def common_subsequence_length(a: str, b: str) -> int:
    """Return the length of the longest string that is a subsequence of both a and b
    (a subsequence keeps the order of characters but may skip any of them).

    Constraints: 0 <= len(a), len(b) <= 200; any characters.

    >>> common_subsequence_length("abcde", "ace")
    3
    >>> common_subsequence_length("abc", "def")
    0
    """
'''

SOLUTION = r'''
    if len(b) > len(a):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
            else:
                cur[j] = cur[j - 1] if cur[j - 1] > prev[j] else prev[j]
        prev = cur
    return prev[-1]
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    def go(i, j):
        if i == len(a) or j == len(b):
            return 0
        if a[i] == b[j]:
            return 1 + go(i + 1, j + 1)
        return max(go(i + 1, j), go(i, j + 1))

    return go(0, 0)
'''

TEST = r'''
def check(candidate):
    assert candidate("abcde", "ace") == 3
    assert candidate("abc", "def") == 0
    assert candidate("", "") == 0
    assert candidate("", "abc") == 0
    assert candidate("abc", "") == 0
    assert candidate("a", "a") == 1
    assert candidate("abc", "abc") == 3
    assert candidate("abcba", "abcbcba") == 5
    assert candidate("aaaa", "aa") == 2
    assert candidate("ab", "ba") == 1
    assert candidate("bsbininm", "jmjkbkjkv") == 1

    import itertools
    import random
    rng = random.Random(41)

    def slow(x, y):
        best = 0
        for r in range(len(x) + 1):
            for idx in itertools.combinations(range(len(x)), r):
                sub = iter(y)
                if all(x[i] in sub for i in idx):
                    best = max(best, r)
        return best

    for _ in range(60):
        x = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        y = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        assert candidate(x, y) == slow(x, y), (x, y)

    s = "".join(rng.choice("acgt") for _ in range(200))
    t = "".join(rng.choice("acgt") for _ in range(200))
    assert candidate(s, s) == 200
    assert candidate(s, s[::2]) == 100
    assert candidate("x" * 200, "y" * 200) == 0
    got = candidate(s, t)
    assert got == candidate(t, s)
    assert got == 130
'''
