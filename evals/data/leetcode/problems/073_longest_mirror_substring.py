# Strings: longest palindromic substring (expand around centres).
DIFFICULTY = "medium"
ENTRY_POINT = "longest_mirror_substring"

PROMPT = r'''
def longest_mirror_substring(s: str) -> str:
    """Return the longest contiguous substring of s that reads the same forwards and
    backwards. If several have the maximum length, return the one that starts
    leftmost. Return "" for an empty s.

    Constraints: 0 <= len(s) <= 1000; any characters. Checking every substring
    separately (cubic time) is too slow.

    >>> longest_mirror_substring("babad")
    'bab'
    >>> longest_mirror_substring("cbbd")
    'bb'
    """
'''

SOLUTION = r'''
    n = len(s)
    best_start, best_len = 0, 0
    for center in range(2 * n - 1):
        lo = center // 2
        hi = lo + center % 2
        while lo >= 0 and hi < n and s[lo] == s[hi]:
            lo -= 1
            hi += 1
        length = hi - lo - 1
        start = lo + 1
        if length > best_len or (length == best_len and start < best_start):
            best_start, best_len = start, length
    return s[best_start:best_start + best_len]
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = ""
    for i in range(len(s)):
        for j in range(i, len(s)):
            sub = s[i:j + 1]
            if len(sub) > len(best) and all(sub[k] == sub[-1 - k] for k in range(len(sub) // 2)):
                best = sub
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate("babad") == "bab"
    assert candidate("cbbd") == "bb"
    assert candidate("") == ""
    assert candidate("x") == "x"
    assert candidate("ab") == "a"
    assert candidate("aa") == "aa"
    assert candidate("abcba") == "abcba"
    assert candidate("abacdfgdcaba") == "aba"
    assert candidate("forgeeksskeegfor") == "geeksskeeg"
    assert candidate("xyzzyabba") == "yzzy"

    import random
    rng = random.Random(73)

    def slow(t):
        best = ""
        for i in range(len(t)):
            for j in range(i + 1, len(t) + 1):
                sub = t[i:j]
                if sub == sub[::-1] and len(sub) > len(best):
                    best = sub
        return best

    for _ in range(150):
        t = "".join(rng.choice("ab") for _ in range(rng.randint(0, 12)))
        assert candidate(t) == slow(t), t

    assert candidate("a" * 1000) == "a" * 1000
    assert candidate("ab" * 500) == "ab" * 499 + "a"

    def ref(t):
        # expand around each of the 2n-1 centres
        bs, bl = 0, 0
        for c in range(2 * len(t) - 1):
            lo, hi = c // 2, c // 2 + c % 2
            while lo >= 0 and hi < len(t) and t[lo] == t[hi]:
                lo, hi = lo - 1, hi + 1
            if hi - lo - 1 > bl:
                bs, bl = lo + 1, hi - lo - 1
        return t[bs:bs + bl]

    for _ in range(20):
        t = "".join(rng.choices("ab", k=1000))
        assert candidate(t) == ref(t)
    half = "".join(rng.choice("abc") for _ in range(300))
    s = "".join(rng.choice("xy") for _ in range(200)) + half + half[::-1] + "".join(rng.choice("xy") for _ in range(200))
    got = candidate(s)
    assert got == ref(s) and len(got) >= 600
'''
