# Hashing: character counts.
DIFFICULTY = "easy"
ENTRY_POINT = "first_unique_char"

PROMPT = r'''
def first_unique_char(s: str) -> int:
    """Return the index of the first character of s that occurs exactly once in s,
    or -1 if every character repeats (or s is empty).

    Constraints: 0 <= len(s) <= 10**5; s consists of lowercase English letters.

    >>> first_unique_char("swiss")
    1
    >>> first_unique_char("aabb")
    -1
    """
'''

SOLUTION = r'''
    counts = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    for i, ch in enumerate(s):
        if counts[ch] == 1:
            return i
    return -1
'''

TEST = r'''
def check(candidate):
    assert candidate("swiss") == 1
    assert candidate("aabb") == -1
    assert candidate("") == -1
    assert candidate("z") == 0
    assert candidate("zz") == -1
    assert candidate("abcabd") == 2
    assert candidate("aabbc") == 4
    assert candidate("loveleetcode") == 2
    s = "".join(chr(97 + i % 25) for i in range(100000)) + "z"
    assert candidate(s) == 100000
    assert candidate("z" + s[:-1]) == 0
'''
