# DP: count the ways a word occurs as a subsequence.
DIFFICULTY = "hard"
ENTRY_POINT = "subsequence_embeddings"

PROMPT = r'''
def subsequence_embeddings(text: str, word: str) -> int:
    """Count the index sequences i1 < i2 < ... < ik (k = len(word)) with
    text[i1] + text[i2] + ... + text[ik] == word, i.e. the number of distinct ways to
    delete characters of text to obtain word. Return the count modulo 1_000_000_007.
    The empty word occurs exactly once in any text.

    Constraints: 0 <= len(text) <= 400, 0 <= len(word) <= 100, lowercase letters.

    >>> subsequence_embeddings("rabbbit", "rabbit")
    3
    >>> subsequence_embeddings("babgbag", "bag")
    5
    """
'''

SOLUTION = r'''
    MOD = 1_000_000_007
    k = len(word)
    # ways[j]: embeddings of word[:j] in the prefix of text processed so far
    ways = [1] + [0] * k
    positions = {}
    for j, ch in enumerate(word):
        positions.setdefault(ch, []).append(j)
    for ch in positions:
        positions[ch].reverse()
    for ch in text:
        for j in positions.get(ch, ()):
            ways[j + 1] = (ways[j + 1] + ways[j]) % MOD
    return ways[k]
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    MOD = 1_000_000_007

    def go(i, j):
        if j == len(word):
            return 1
        if i == len(text):
            return 0
        total = go(i + 1, j)
        if text[i] == word[j]:
            total += go(i + 1, j + 1)
        return total

    return go(0, 0) % MOD
'''

TEST = r'''
def check(candidate):
    M = 1_000_000_007
    assert candidate("rabbbit", "rabbit") == 3
    assert candidate("babgbag", "bag") == 5
    assert candidate("", "") == 1
    assert candidate("abc", "") == 1
    assert candidate("", "a") == 0
    assert candidate("a", "a") == 1
    assert candidate("a", "aa") == 0
    assert candidate("aaa", "aa") == 3
    assert candidate("abc", "cba") == 0
    assert candidate("aabb", "ab") == 4

    import itertools
    import math
    import random
    rng = random.Random(84)
    for _ in range(100):
        t = "".join(rng.choice("ab") for _ in range(rng.randint(0, 9)))
        w = "".join(rng.choice("ab") for _ in range(rng.randint(0, 3)))
        exp = sum(1 for idx in itertools.combinations(range(len(t)), len(w)) if "".join(t[i] for i in idx) == w)
        assert candidate(t, w) == exp % M, (t, w)

    assert candidate("a" * 400, "a" * 100) == math.comb(400, 100) % M
    assert candidate("ab" * 200, "ab" * 50) == math.comb(250, 100) % M
    t = "".join(rng.choice("ab") for _ in range(400))
    w = "".join(rng.choice("ab") for _ in range(100))
    assert candidate(t, w) == 261716485
'''
