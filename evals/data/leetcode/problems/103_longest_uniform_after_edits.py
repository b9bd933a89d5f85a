# Sliding window with counts.
DIFFICULTY = "medium"
ENTRY_POINT = "longest_uniform_after_edits"

PROMPT = r'''
def longest_uniform_after_edits(s: str, k: int) -> int:
    """You may change at most k characters of s, each into any uppercase letter.
    Return the length of the longest contiguous substring consisting of a single
    repeated letter that you can obtain.

    Constraints: 0 <= len(s) <= 10**5, s has uppercase letters A-Z only,
    0 <= k <= len(s).

    >>> longest_uniform_after_edits("ABAB", 2)
    4
    >>> longest_uniform_after_edits("AABABBA", 1)
    4
    """
'''

SOLUTION = r'''
    counts = [0] * 26
    best = top = left = 0
    for right, ch in enumerate(s):
        i = ord(ch) - 65
        counts[i] += 1
        if counts[i] > top:
            top = counts[i]
        while right - left + 1 - top > k:
            counts[ord(s[left]) - 65] -= 1
            left += 1
        if right - left + 1 > best:
            best = right - left + 1
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = 0
    for i in range(len(s)):
        counts = {}
        top = 0
        for j in range(i, len(s)):
            counts[s[j]] = counts.get(s[j], 0) + 1
            top = max(top, counts[s[j]])
            if j - i + 1 - top <= k:
                best = max(best, j - i + 1)
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate("ABAB", 2) == 4
    assert candidate("AABABBA", 1) == 4
    assert candidate("", 0) == 0
    assert candidate("A", 0) == 1
    assert candidate("AB", 0) == 1
    assert candidate("ABC", 3) == 3
    assert candidate("AAAA", 0) == 4
    assert candidate("ABBB", 0) == 3
    assert candidate("ABCDE", 1) == 2

    import random
    rng = random.Random(103)

    def slow(s, k):
        best = 0
        for i in range(len(s)):
            for j in range(i, len(s)):
                sub = s[i:j + 1]
                if len(sub) - max(sub.count(c) for c in set(sub)) <= k:
                    best = max(best, len(sub))
        return best

    for _ in range(120):
        s = "".join(rng.choice("ABC") for _ in range(rng.randint(0, 10)))
        k = rng.randint(0, 3)
        assert candidate(s, k) == slow(s, k), (s, k)

    n = 100000
    s = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))
    assert candidate(s, n) == n
    assert candidate("A" * n, 0) == n
    t = ("AB" * (n // 2))
    assert candidate(t, 1000) == 2001
    u = "".join("Z" if i % 50 else "Q" for i in range(n))
    assert candidate(u, 0) == 49
    assert candidate(u, 3) == 49 * 4 + 3
'''
