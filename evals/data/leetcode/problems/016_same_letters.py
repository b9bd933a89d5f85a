# Hashing: anagram test.
DIFFICULTY = "easy"
ENTRY_POINT = "same_letters"

PROMPT = r'''
def same_letters(a: str, b: str) -> bool:
    """Return True if b is a rearrangement of a: both strings contain exactly the same
    characters with the same multiplicities (case-sensitive; spaces count too).

    Constraints: 0 <= len(a), len(b) <= 10**5.

    >>> same_letters("listen", "silent")
    True
    >>> same_letters("aab", "abb")
    False
    """
'''

SOLUTION = r'''
    if len(a) != len(b):
        return False
    counts = {}
    for ch in a:
        counts[ch] = counts.get(ch, 0) + 1
    for ch in b:
        c = counts.get(ch, 0)
        if c == 0:
            return False
        counts[ch] = c - 1
    return True
'''

TEST = r'''
def check(candidate):
    assert candidate("listen", "silent") is True
    assert candidate("aab", "abb") is False
    assert candidate("", "") is True
    assert candidate("a", "") is False
    assert candidate("", "a") is False
    assert candidate("Ab", "ab") is False
    assert candidate("a b", "ba ") is True
    assert candidate("ab", "abc") is False
    assert candidate("abcc", "abbc") is False
    s = "".join(chr(97 + (i * i) % 26) for i in range(100000))
    assert candidate(s, s[::-1]) is True
    assert candidate(s, s[1:] + "?") is False
'''
