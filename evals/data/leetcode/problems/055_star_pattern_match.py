# DP 2D: full-string pattern matching with '.' and '*'.
DIFFICULTY = "hard"
ENTRY_POINT = "star_pattern_match"

PROMPT = r'''
def star_pattern_match(text: str, pattern: str) -> bool:
    """Decide whether pattern matches ALL of text. text contains lowercase letters.
    pattern contains lowercase letters, '.' and '*':
      - a letter matches exactly that letter;
      - '.' matches any single letter;
      - 'X*' (X a letter or '.') matches zero or more consecutive copies of what X
        matches.
    Every '*' in pattern directly follows a letter or '.', never another '*' and never
    stands first.

    Constraints: 0 <= len(text) <= 200, 0 <= len(pattern) <= 100.
    Naive backtracking is exponential on some inputs and too slow.

    >>> star_pattern_match("aab", "c*a*b")
    True
    >>> star_pattern_match("ab", ".*c")
    False
    """
'''

SOLUTION = r'''
    # units: (char, starred)
    units = []
    for ch in pattern:
        if ch == "*":
            units[-1] = (units[-1][0], True)
        else:
            units.append((ch, False))
    n = len(text)
    # reach[i] is True when the units processed so far can match text[:i]
    reach = [False] * (n + 1)
    reach[0] = True
    for ch, starred in units:
        nxt = [False] * (n + 1)
        if starred:
            for i in range(n + 1):
                if reach[i] or (i and nxt[i - 1] and (ch == "." or text[i - 1] == ch)):
                    nxt[i] = True
        else:
            for i in range(1, n + 1):
                if reach[i - 1] and (ch == "." or text[i - 1] == ch):
                    nxt[i] = True
        reach = nxt
    return reach[n]
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    def go(i, j):
        if j == len(pattern):
            return i == len(text)
        first = i < len(text) and pattern[j] in (text[i], ".")
        if j + 1 < len(pattern) and pattern[j + 1] == "*":
            return go(i, j + 2) or (first and go(i + 1, j))
        return first and go(i + 1, j + 1)

    return go(0, 0)
'''

TEST = r'''
def check(candidate):
    assert candidate("aab", "c*a*b") is True
    assert candidate("ab", ".*c") is False
    assert candidate("", "") is True
    assert candidate("", "a*") is True
    assert candidate("", ".*b*") is True
    assert candidate("", "a") is False
    assert candidate("a", "") is False
    assert candidate("aa", "a") is False
    assert candidate("aa", "a*") is True
    assert candidate("ab", ".*") is True
    assert candidate("mississippi", "mis*is*p*.") is False
    assert candidate("mississippi", "mis*is*ip*.") is True
    assert candidate("abc", "a.c") is True
    assert candidate("abbbc", "ab*c") is True
    assert candidate("ac", "ab*c") is True
    assert candidate("abcd", "d*") is False
    assert candidate("aaa", "ab*a*c*a") is True
    assert candidate("a", ".*..a*") is False

    import random
    import re
    rng = random.Random(55)
    for _ in range(300):
        t = "".join(rng.choice("ab") for _ in range(rng.randint(0, 6)))
        p = ""
        for _ in range(rng.randint(0, 4)):
            p += rng.choice("ab.")
            if rng.random() < 0.4:
                p += "*"
        assert candidate(t, p) is (re.fullmatch(p, t) is not None), (t, p)

    assert candidate("a" * 40, "a*" * 20 + "b") is False
    assert candidate("a" * 200, "a*" * 49 + "b") is False
    assert candidate("a" * 200, ".*" * 10 + "a" * 50 + ".*" * 10) is True
    assert candidate("ab" * 100, "a.*b" * 25) is True
    assert candidate("ab" * 100, "a.*b" * 24 + "b") is False
'''
