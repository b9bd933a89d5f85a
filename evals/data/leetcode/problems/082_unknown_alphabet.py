# Graph: derive an alphabet order from a sorted dictionary (topological sort).
DIFFICULTY = "hard"
ENTRY_POINT = "unknown_alphabet"

PROMPT = r'''
def unknown_alphabet(words: list[str]) -> str:
    """words is a dictionary of an unknown language that uses some of the letters
    a-z, claimed to be sorted lexicographically by that language's letter order
    (the usual rule: compare at the first differing position; a proper prefix comes
    before any longer word that extends it).

    Return a string containing every letter that appears in words exactly once, in an
    order under which the dictionary is sorted. When several such orders exist, return
    the one that is the smallest string under ordinary comparison (a < b < ... < z).
    Return "" if no letter order makes the dictionary sorted (contradictory
    constraints, or a word listed before its own proper prefix).

    Constraints: 0 <= len(words) <= 10**4, 1 <= len(words[i]) <= 20.

    >>> unknown_alphabet(["wrt", "wrf", "er", "ett", "rftt"])
    'wertf'
    >>> unknown_alphabet(["z", "x", "z"])
    ''
    >>> unknown_alphabet(["ba", "bc"])
    'abc'
    """
'''

SOLUTION = r'''
    import heapq
    letters = sorted({ch for w in words for ch in w})
    after = {ch: set() for ch in letters}
    indeg = {ch: 0 for ch in letters}
    for w1, w2 in zip(words, words[1:]):
        for a, b in zip(w1, w2):
            if a != b:
                if b not in after[a]:
                    after[a].add(b)
                    indeg[b] += 1
                break
        else:
            if len(w1) > len(w2):
                return ""
    heap = [ch for ch in letters if indeg[ch] == 0]
    heapq.heapify(heap)
    out = []
    while heap:
        ch = heapq.heappop(heap)
        out.append(ch)
        for nxt in after[ch]:
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                heapq.heappush(heap, nxt)
    return "".join(out) if len(out) == len(letters) else ""
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    import heapq
    letters = sorted({ch for w in words for ch in w})
    after = {ch: set() for ch in letters}
    indeg = {ch: 0 for ch in letters}
    for w1, w2 in zip(words, words[1:]):
        for a, b in zip(w1, w2):
            if a != b:
                if b not in after[a]:
                    after[a].add(b)
                    indeg[b] += 1
                break
    heap = [ch for ch in letters if indeg[ch] == 0]
    heapq.heapify(heap)
    out = []
    while heap:
        ch = heapq.heappop(heap)
        out.append(ch)
        for nxt in after[ch]:
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                heapq.heappush(heap, nxt)
    return "".join(out) if len(out) == len(letters) else ""
'''

TEST = r'''
def check(candidate):
    assert candidate(["wrt", "wrf", "er", "ett", "rftt"]) == "wertf"
    assert candidate(["z", "x", "z"]) == ""
    assert candidate(["ba", "bc"]) == "abc"
    assert candidate([]) == ""
    assert candidate(["q"]) == "q"
    assert candidate(["cab"]) == "abc"
    assert candidate(["z", "x"]) == "zx"
    assert candidate(["abc", "ab"]) == ""
    assert candidate(["ab", "abc"]) == "abc"
    assert candidate(["ab", "ab"]) == "ab"
    assert candidate(["ca", "cb", "ba"]) == "acb"
    assert candidate(["a", "b", "a"]) == ""

    import itertools
    import random
    rng = random.Random(82)

    def slow(ws):
        letters = sorted({c for w in ws for c in w})
        for perm in itertools.permutations(letters):
            rank = {c: i for i, c in enumerate(perm)}
            keys = [[rank[c] for c in w] for w in ws]
            if all(keys[i] <= keys[i + 1] for i in range(len(keys) - 1)):
                return "".join(perm)
        return ""

    for _ in range(120):
        alpha = rng.sample("abcde", rng.randint(1, 5))
        ws = sorted(("".join(rng.choice(alpha) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(0, 6))),
                    key=lambda w: [alpha.index(c) for c in w])
        if rng.random() < 0.3 and len(ws) > 1:
            i = rng.randrange(len(ws) - 1)
            ws[i], ws[i + 1] = ws[i + 1], ws[i]
        assert candidate(list(ws)) == slow(ws), ws

    order = "qwertyuiopasdfghjklzxcvbnm"
    rank = {c: i for i, c in enumerate(order)}
    words = sorted({"".join(rng.choice(order) for _ in range(rng.randint(1, 20))) for _ in range(10000)},
                   key=lambda w: [rank[c] for c in w])
    assert candidate(words) == order
    assert candidate(words + [words[0]]) == ""
'''
