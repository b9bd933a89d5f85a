# Sliding window with letter counts.
DIFFICULTY = "medium"
ENTRY_POINT = "anagram_positions"

PROMPT = r'''
def anagram_positions(text: str, word: str) -> list[int]:
    """Return, in increasing order, every index i such that the substring of text
    starting at i with length len(word) is a rearrangement of word (same letters with
    the same multiplicities). If word is longer than text, return []. If word is
    empty, every index 0..len(text) qualifies.

    Constraints: 0 <= len(text), len(word) <= 10**5, lowercase letters.
    Sorting or counting every window from scratch is too slow.

    >>> anagram_positions("cbaebabacd", "abc")
    [0, 6]
    >>> anagram_positions("abab", "ab")
    [0, 1, 2]
    """
'''

SOLUTION = r'''
    m = len(word)
    if m > len(text):
        return []
    need = [0] * 26
    for ch in word:
        need[ord(ch) - 97] += 1
    have = [0] * 26
    for ch in text[:m]:
        have[ord(ch) - 97] += 1
    diff = sum(1 for a, b in zip(need, have) if a != b)
    out = [0] if diff == 0 else []
    for i in range(m, len(text)):
        for idx, delta in ((ord(text[i]) - 97, 1), (ord(text[i - m]) - 97, -1)):
            before = have[idx] == need[idx]
            have[idx] += delta
            after = have[idx] == need[idx]
            if before and not after:
                diff += 1
            elif after and not before:
                diff -= 1
        if diff == 0:
            out.append(i - m + 1)
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    m = len(word)
    key = sorted(word)
    return [i for i in range(len(text) - m + 1) if sorted(text[i:i + m]) == key]
'''

TEST = r'''
def check(candidate):
    assert candidate("cbaebabacd", "abc") == [0, 6]
    assert candidate("abab", "ab") == [0, 1, 2]
    assert candidate("", "a") == []
    assert candidate("a", "ab") == []
    assert candidate("abc", "") == [0, 1, 2, 3]
    assert candidate("", "") == [0]
    assert candidate("aaaa", "aa") == [0, 1, 2]
    assert candidate("abc", "abc") == [0]
    assert candidate("abc", "abd") == []
    assert candidate("baa", "aa") == [1]

    import random
    rng = random.Random(104)
    for _ in range(120):
        t = "".join(rng.choice("abc") for _ in range(rng.randint(0, 12)))
        w = "".join(rng.choice("abc") for _ in range(rng.randint(0, 4)))
        exp = [i for i in range(len(t) - len(w) + 1) if sorted(t[i:i + len(w)]) == sorted(w)]
        assert candidate(t, w) == exp, (t, w)

    n = 100000
    word = "".join(chr(97 + i % 26) for i in range(5000))
    text = "".join(chr(97 + i % 26) for i in range(n))
    assert candidate(text, word) == list(range(0, n - 5000 + 1, 26))
    assert candidate(text, text[:26 * 199]) == list(range(n - 26 * 199 + 1))
    text2 = "z" * n
    assert candidate(text2, "z" * 50000) == list(range(n - 50000 + 1))
    assert candidate(text2, "z" * 49999 + "y") == []
'''
