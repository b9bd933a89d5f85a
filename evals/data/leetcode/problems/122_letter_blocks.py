# Greedy using last occurrences.
DIFFICULTY = "medium"
ENTRY_POINT = "letter_blocks"

PROMPT = r'''
def letter_blocks(s: str) -> list[int]:
    """Cut s into as many contiguous blocks as possible such that every letter
    appears in at most one block. Return the block lengths from left to right
    (the empty string gives []).

    Constraints: 0 <= len(s) <= 10**5, lowercase letters.

    >>> letter_blocks("abacdcfe")
    [3, 3, 1, 1]
    >>> letter_blocks("aaa")
    [3]
    """
'''

SOLUTION = r'''
    last = {ch: i for i, ch in enumerate(s)}
    out = []
    start = end = 0
    for i, ch in enumerate(s):
        if last[ch] > end:
            end = last[ch]
        if i == end:
            out.append(end - start + 1)
            start = i + 1
            end = i + 1
    return out
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # cuts whenever the current letter does not appear again (ignores earlier letters)
    out = []
    start = 0
    for i, ch in enumerate(s):
        if ch not in s[i + 1:]:
            out.append(i - start + 1)
            start = i + 1
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate("abacdcfe") == [3, 3, 1, 1]
    assert candidate("aaa") == [3]
    assert candidate("") == []
    assert candidate("z") == [1]
    assert candidate("abc") == [1, 1, 1]
    assert candidate("abca") == [4]
    assert candidate("ababcbacadefegdehijhklij") == [9, 7, 8]
    assert candidate("eccbbbbdec") == [10]
    assert candidate("abba" + "cd") == [4, 1, 1]

    import random
    rng = random.Random(122)

    def slow(s):
        out = []
        start = 0
        for i in range(len(s)):
            left, right = set(s[start:i + 1]), set(s[i + 1:])
            if not left & right:
                out.append(i - start + 1)
                start = i + 1
        return out

    for _ in range(150):
        s = "".join(rng.choice("abcde") for _ in range(rng.randint(0, 12)))
        assert candidate(s) == slow(s), s

    n = 100000
    blocks = "".join(chr(97 + (i // 1000) % 26) for i in range(26000))
    assert candidate(blocks) == [1000] * 26
    assert candidate("a" + "b" * n + "a") == [n + 2]
    mixed = "".join(chr(97 + i % 26) for i in range(n))
    assert candidate(mixed) == [n]
'''
