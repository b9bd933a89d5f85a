# Sliding window with counts: minimum window containing a multiset.
DIFFICULTY = "hard"
ENTRY_POINT = "shortest_covering_window"

PROMPT = r'''
def shortest_covering_window(s: str, t: str) -> str:
    """Return the shortest contiguous substring of s that contains every character of
    t at least as many times as it occurs in t (case-sensitive). If several shortest
    substrings exist, return the leftmost one. Return "" if no substring qualifies or
    if t is empty.

    Constraints: 0 <= len(s), len(t) <= 10**5; ASCII letters.

    >>> shortest_covering_window("ADOBECODEBANC", "ABC")
    'BANC'
    >>> shortest_covering_window("a", "aa")
    ''
    """
'''

SOLUTION = r'''
    if not t:
        return ""
    need = {}
    for ch in t:
        need[ch] = need.get(ch, 0) + 1
    missing = len(t)
    best_len, best_start = len(s) + 1, 0
    left = 0
    for right, ch in enumerate(s):
        if ch in need:
            if need[ch] > 0:
                missing -= 1
            need[ch] -= 1
        while missing == 0:
            if right - left + 1 < best_len:
                best_len, best_start = right - left + 1, left
            lc = s[left]
            if lc in need:
                need[lc] += 1
                if need[lc] > 0:
                    missing += 1
            left += 1
    return s[best_start:best_start + best_len] if best_len <= len(s) else ""
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    from collections import Counter
    if not t:
        return ""
    need = Counter(t)
    best = ""
    for i in range(len(s)):
        have = Counter()
        for j in range(i, len(s)):
            have[s[j]] += 1
            if all(have[c] >= k for c, k in need.items()):
                if not best or j - i + 1 < len(best):
                    best = s[i:j + 1]
                break
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate("ADOBECODEBANC", "ABC") == "BANC"
    assert candidate("a", "aa") == ""
    assert candidate("a", "a") == "a"
    assert candidate("", "a") == ""
    assert candidate("abc", "") == ""
    assert candidate("aa", "aa") == "aa"
    assert candidate("abcabc", "cb") == "bc"
    assert candidate("bbaa", "aba") == "baa"
    assert candidate("aAbB", "ab") == "aAb"
    assert candidate("aAbB", "AB") == "AbB"
    assert candidate("ab", "A") == ""
    assert candidate("xyzzyx", "zx") == "xyz"
    assert candidate("cabwefgewcwaefgcf", "cae") == "cwae"

    import random
    rng = random.Random(50)

    def slow(s, t):
        from collections import Counter
        if not t:
            return ""
        need = Counter(t)
        for L in range(1, len(s) + 1):
            for i in range(len(s) - L + 1):
                c = Counter(s[i:i + L])
                if all(c[k] >= v for k, v in need.items()):
                    return s[i:i + L]
        return ""

    for _ in range(100):
        s = "".join(rng.choice("abc") for _ in range(rng.randint(0, 10)))
        t = "".join(rng.choice("abc") for _ in range(rng.randint(0, 4)))
        assert candidate(s, t) == slow(s, t), (s, t)

    n = 100000
    s = "a" * n + "b" + "a" * n
    assert candidate(s, "ab") == "ab"
    assert candidate(s, "aba") == "aab"
    assert candidate(s, "bb") == ""
    letters = "".join(chr(97 + i % 26) for i in range(n))
    assert candidate(letters, "zyxwvutsrqponmlkjihgfedcba") == letters[:26]
    t = "ab" * 2000
    s2 = "c" * 50000 + "ab" * 1000 + "c" + "ab" * 1000 + "c" * 49999
    assert candidate(s2, t) == "ab" * 1000 + "c" + "ab" * 1000
'''
