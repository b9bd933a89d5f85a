# Two pointers: subsequence test.
DIFFICULTY = "easy"
ENTRY_POINT = "is_embedded"

PROMPT = r'''
def is_embedded(small: str, big: str) -> bool:
    """Return True if small can be obtained from big by deleting zero or more
    characters without reordering the rest (small is a subsequence of big).
    The empty string is embedded in every string.

    Constraints: 0 <= len(small), len(big) <= 2 * 10**5.

    >>> is_embedded("ace", "abcde")
    True
    >>> is_embedded("aec", "abcde")
    False
    """
'''

SOLUTION = r'''
    i = 0
    for ch in big:
        if i < len(small) and small[i] == ch:
            i += 1
    return i == len(small)
'''

TEST = r'''
def check(candidate):
    assert candidate("ace", "abcde") is True
    assert candidate("aec", "abcde") is False
    assert candidate("", "") is True
    assert candidate("", "abc") is True
    assert candidate("a", "") is False
    assert candidate("abc", "abc") is True
    assert candidate("abcd", "abc") is False
    assert candidate("aa", "a") is False
    assert candidate("aa", "aba") is True
    assert candidate("b", "aaab") is True
    assert candidate("A", "a") is False
    big = "ab" * 100000
    assert candidate("b" * 100000, big) is True
    assert candidate("b" * 100000 + "b", big) is False
    assert candidate("ba" * 99999 + "bb", big) is False
    assert candidate("ba" * 99999 + "b", big) is True
'''
