# DP over prefixes: word segmentation.
DIFFICULTY = "medium"
ENTRY_POINT = "can_split_words"

PROMPT = r'''
def can_split_words(text: str, vocab: list[str]) -> bool:
    """Return True if text can be cut into one or more consecutive pieces such that
    every piece is a word of vocab (words may be reused any number of times).
    The empty text needs no pieces and returns True.

    Constraints: 0 <= len(text) <= 200, 1 <= len(vocab) <= 1000,
    1 <= len(vocab[i]) <= 20; all strings are lowercase letters.

    >>> can_split_words("applepenapple", ["apple", "pen"])
    True
    >>> can_split_words("catsandog", ["cats", "dog", "sand", "and", "cat"])
    False
    """
'''

SOLUTION = r'''
    words = set(vocab)
    lengths = sorted({len(w) for w in words})
    n = len(text)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(1, n + 1):
        for L in lengths:
            if L > i:
                break
            if ok[i - L] and text[i - L:i] in words:
                ok[i] = True
                break
    return ok[n]
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    words = set(vocab)

    def go(i):
        if i == len(text):
            return True
        for j in range(i + 1, min(len(text), i + 20) + 1):
            if text[i:j] in words and go(j):
                return True
        return False

    return go(0)
'''

TEST = r'''
def check(candidate):
    assert candidate("applepenapple", ["apple", "pen"]) is True
    assert candidate("catsandog", ["cats", "dog", "sand", "and", "cat"]) is False
    assert candidate("", ["a"]) is True
    assert candidate("a", ["a"]) is True
    assert candidate("a", ["b"]) is False
    assert candidate("aaaaaaa", ["aaaa", "aaa"]) is True
    assert candidate("aaaaaaa", ["aaaa", "aa"]) is False
    assert candidate("abcd", ["a", "abc", "b", "cd"]) is True
    assert candidate("goalspecial", ["go", "goal", "goals", "special"]) is True
    assert candidate("cars", ["car", "ca", "rs"]) is True
    assert candidate("ab", ["a", "b", "ab", "ba"]) is True
    big = "a" * 199 + "b"
    vocab = ["a" * k for k in range(1, 21)]
    assert candidate(big, vocab) is False
    assert candidate("a" * 200, vocab) is True
    assert candidate(big, vocab + ["ab"]) is True

    import random
    rng = random.Random(39)

    def slow(t, vs):
        ok = [True] + [False] * len(t)
        for i in range(1, len(t) + 1):
            ok[i] = any(ok[j] and t[j:i] in vs for j in range(i))
        return ok[len(t)]

    for _ in range(100):
        vs = ["".join(rng.choice("ab") for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        t = "".join(rng.choice("ab") for _ in range(rng.randint(0, 12)))
        assert candidate(t, list(vs)) is slow(t, set(vs)), (t, vs)

    vocab = ["".join(rng.choice("abc") for _ in range(rng.randint(3, 20))) for _ in range(1000)]
    pieces = []
    while sum(map(len, pieces)) < 180:
        pieces.append(rng.choice(vocab))
    text = "".join(pieces)
    assert candidate(text, vocab) is True
    assert candidate(text + "d", vocab) is False
'''
