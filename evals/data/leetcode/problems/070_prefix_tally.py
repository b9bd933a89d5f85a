# Trie (or sorting + binary search): count words by prefix.
DIFFICULTY = "medium"
ENTRY_POINT = "prefix_tally"

PROMPT = r'''
def prefix_tally(words: list[str], queries: list[str]) -> list[int]:
    """For each query q, count how many entries of words start with q (duplicates in
    words count separately; every word starts with the empty prefix). Return the
    counts in the order of queries.

    Constraints: 0 <= len(words), len(queries) <= 3 * 10**4, 0 <= length of each
    string <= 12, lowercase letters. Scanning all words for every query is too slow.

    >>> prefix_tally(["apple", "app", "apply", "bat", "app"], ["app", "b", "c", ""])
    [4, 1, 0, 5]
    """
'''

SOLUTION = r'''
    counts = {}
    for w in words:
        for k in range(len(w) + 1):
            p = w[:k]
            counts[p] = counts.get(p, 0) + 1
    return [counts.get(q, 0) for q in queries]
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    return [sum(1 for w in words if w.startswith(q)) for q in queries]
'''

TEST = r'''
def check(candidate):
    assert candidate(["apple", "app", "apply", "bat", "app"], ["app", "b", "c", ""]) == [4, 1, 0, 5]
    assert candidate([], ["a", ""]) == [0, 0]
    assert candidate(["a"], []) == []
    assert candidate([""], ["", "a"]) == [1, 0]
    assert candidate(["abc"], ["abcd", "abc", "ab"]) == [0, 1, 1]
    assert candidate(["x", "x", "xy"], ["x", "xy", "y"]) == [3, 1, 0]

    import random
    rng = random.Random(70)
    for _ in range(60):
        ws = ["".join(rng.choice("ab") for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(0, 8))]
        qs = ["".join(rng.choice("ab") for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(0, 5))]
        assert candidate(list(ws), list(qs)) == [sum(w.startswith(q) for w in ws) for q in qs], (ws, qs)

    n = 30000
    words = ["".join(rng.choices("abcd", k=rng.randint(1, 12))) for _ in range(n)]
    queries = [w[: rng.randint(0, len(w))] for w in words[::3]] + ["".join(rng.choices("abcd", k=6)) for _ in range(n // 3)]
    got = candidate(words, queries)
    import bisect
    srt = sorted(words)
    def slow(q):
        return bisect.bisect_left(srt, q + "{") - bisect.bisect_left(srt, q)
    assert got == [slow(q) for q in queries]
'''
