# Sliding window: longest substring without a repeated character.
DIFFICULTY = "medium"
ENTRY_POINT = "longest_distinct_run"

PROMPT = r'''
def longest_distinct_run(s: str) -> int:
    """Return the length of the longest contiguous substring of s in which no
    character occurs more than once. The empty string gives 0.

    Constraints: 0 <= len(s) <= 10**5; s may contain any Unicode characters
    (not just letters), so the alphabet can be large.

    >>> longest_distinct_run("abcabcbb")
    3
    >>> longest_distinct_run("pwwkew")
    3
    """
'''

SOLUTION = r'''
    last = {}
    best = start = 0
    for i, ch in enumerate(s):
        j = last.get(ch, -1)
        if j >= start:
            start = j + 1
        last[ch] = i
        if i - start + 1 > best:
            best = i - start + 1
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = 0
    for i in range(len(s)):
        seen = set()
        for j in range(i, len(s)):
            if s[j] in seen:
                break
            seen.add(s[j])
        best = max(best, len(seen))
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate("abcabcbb") == 3
    assert candidate("pwwkew") == 3
    assert candidate("") == 0
    assert candidate("a") == 1
    assert candidate("aaaa") == 1
    assert candidate("abba") == 2
    assert candidate("dvdf") == 3
    assert candidate("tmmzuxt") == 5
    assert candidate("abcdef") == 6
    assert candidate("a b a") == 3
    assert candidate("\u00e9\u00e8\u00e9x") == 3

    import random
    rng = random.Random(21)

    def slow(t):
        best = 0
        for i in range(len(t)):
            for j in range(i, len(t) + 1):
                if len(set(t[i:j])) == j - i:
                    best = max(best, j - i)
        return best

    for _ in range(150):
        t = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 12)))
        assert candidate(t) == slow(t), t

    big = "".join(chr(0x4E00 + (i % 5000)) for i in range(100000))
    assert candidate(big) == 5000
    big2 = "".join(chr(0x4E00 + (i * 7) % 9973) for i in range(60000)) + "\u4e00"
    assert candidate(big2) == 9973
'''
