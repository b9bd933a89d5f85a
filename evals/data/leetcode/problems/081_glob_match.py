# DP / greedy backtracking: wildcard matching with '?' and '*'.
DIFFICULTY = "hard"
ENTRY_POINT = "glob_match"

PROMPT = r'''
def glob_match(text: str, pattern: str) -> bool:
    """Decide whether pattern matches ALL of text. text contains lowercase letters.
    In pattern a lowercase letter matches itself, '?' matches exactly one letter, and
    '*' matches any sequence of letters, including the empty one.

    Constraints: 0 <= len(text), len(pattern) <= 500.
    Plain recursive backtracking is exponential on some inputs and too slow.

    >>> glob_match("adceb", "*a*b")
    True
    >>> glob_match("acdcb", "a*c?b")
    False
    """
'''

SOLUTION = r'''
    i = j = 0
    star = -1   # position of the last '*' seen in pattern
    mark = 0    # position in text where that '*' started matching
    while i < len(text):
        if j < len(pattern) and (pattern[j] == "?" or pattern[j] == text[i]):
            i += 1
            j += 1
        elif j < len(pattern) and pattern[j] == "*":
            star = j
            mark = i
            j += 1
        elif star != -1:
            j = star + 1
            mark += 1
            i = mark
        else:
            return False
    while j < len(pattern) and pattern[j] == "*":
        j += 1
    return j == len(pattern)
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    def go(i, j):
        if j == len(pattern):
            return i == len(text)
        if pattern[j] == "*":
            return any(go(k, j + 1) for k in range(i, len(text) + 1))
        return i < len(text) and pattern[j] in ("?", text[i]) and go(i + 1, j + 1)

    return go(0, 0)
'''

TEST = r'''
def check(candidate):
    assert candidate("adceb", "*a*b") is True
    assert candidate("acdcb", "a*c?b") is False
    assert candidate("", "") is True
    assert candidate("", "*") is True
    assert candidate("", "**") is True
    assert candidate("", "?") is False
    assert candidate("a", "") is False
    assert candidate("aa", "a") is False
    assert candidate("aa", "*") is True
    assert candidate("cb", "?a") is False
    assert candidate("abc", "a?c") is True
    assert candidate("abc", "abc*") is True
    assert candidate("abcd", "*d") is True
    assert candidate("abcd", "*c") is False
    assert candidate("mississippi", "m??*ss*?i*pi") is False
    assert candidate("mississippi", "m*iss*ppi") is True

    import fnmatch
    import random
    rng = random.Random(81)
    for _ in range(300):
        t = "".join(rng.choice("ab") for _ in range(rng.randint(0, 7)))
        p = "".join(rng.choice("ab?*") for _ in range(rng.randint(0, 6)))
        assert candidate(t, p) is fnmatch.fnmatchcase(t, p), (t, p)

    assert candidate("a" * 500, "*a" * 30 + "*b") is False
    assert candidate("a" * 500, "a*" * 250) is True
    assert candidate("ab" * 250, "*" + "?b*" * 125) is True
    assert candidate("ab" * 250, "*" + "?b*" * 125 + "c") is False
    assert candidate("a" * 499 + "b", "*a*a*a*a*a*a*a*a*b") is True
'''
