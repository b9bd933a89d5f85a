# BFS over implicit graph: word ladder length.
DIFFICULTY = "hard"
ENTRY_POINT = "word_chain_steps"

PROMPT = r'''
def word_chain_steps(start: str, goal: str, words: list[str]) -> int:
    """A chain is a sequence of words start = w0, w1, ..., wk = goal where each step
    changes exactly one letter (same length, same positions otherwise) and every
    word after start belongs to words (start itself need not). Return the number of
    words in the shortest chain (k + 1), 1 if start == goal, or 0 if no chain exists.

    Constraints: 1 <= len(start) == len(goal) <= 10; 0 <= len(words) <= 2 * 10**4;
    all words have the same length as start; lowercase letters; words may repeat.
    Comparing every pair of words is too slow.

    >>> word_chain_steps("hit", "cog", ["hot", "dot", "dog", "lot", "log", "cog"])
    5
    >>> word_chain_steps("hit", "cog", ["hot", "dot", "dog", "lot", "log"])
    0
    """
'''

SOLUTION = r'''
    from collections import deque
    if start == goal:
        return 1
    vocab = set(words)
    if goal not in vocab:
        return 0
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab.discard(start)
    q = deque([(start, 1)])
    while q:
        w, d = q.popleft()
        for i in range(len(w)):
            head, tail = w[:i], w[i + 1:]
            for c in letters:
                v = head + c + tail
                if v in vocab:
                    if v == goal:
                        return d + 1
                    vocab.discard(v)
                    q.append((v, d + 1))
    return 0
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    from collections import deque
    if start == goal:
        return 1
    vocab = list(set(words))
    if goal not in vocab:
        return 0

    def adjacent(a, b):
        return sum(x != y for x, y in zip(a, b)) == 1

    dist = {start: 1}
    q = deque([start])
    while q:
        w = q.popleft()
        for v in vocab:
            if v not in dist and adjacent(w, v):
                dist[v] = dist[w] + 1
                if v == goal:
                    return dist[v]
                q.append(v)
    return 0
'''

TEST = r'''
def check(candidate):
    assert candidate("hit", "cog", ["hot", "dot", "dog", "lot", "log", "cog"]) == 5
    assert candidate("hit", "cog", ["hot", "dot", "dog", "lot", "log"]) == 0
    assert candidate("a", "a", []) == 1
    assert candidate("a", "c", ["c"]) == 2
    assert candidate("a", "c", []) == 0
    assert candidate("ab", "ab", ["xy"]) == 1
    assert candidate("ab", "cd", ["cb", "cd"]) == 3
    assert candidate("ab", "cd", ["cd"]) == 0
    assert candidate("ab", "ba", ["aa", "ba", "ba"]) == 3
    assert candidate("hot", "dog", ["hot", "dog"]) == 0
    assert candidate("hot", "dog", ["hot", "dot", "dog"]) == 3

    import random
    from collections import deque
    rng = random.Random(56)

    def slow(s, g, ws):
        if s == g:
            return 1
        vocab = set(ws)
        dist = {s: 1}
        q = deque([s])
        while q:
            w = q.popleft()
            for v in vocab:
                if v not in dist and sum(a != b for a, b in zip(w, v)) == 1:
                    dist[v] = dist[w] + 1
                    q.append(v)
        return dist.get(g, 0) if g in vocab else 0

    for _ in range(100):
        L = rng.randint(1, 3)
        ws = ["".join(rng.choice("abc") for _ in range(L)) for _ in range(rng.randint(0, 12))]
        s = "".join(rng.choice("abc") for _ in range(L))
        g = "".join(rng.choice("abc") for _ in range(L))
        assert candidate(s, g, list(ws)) == slow(s, g, ws), (s, g, ws)

    # a corridor of 251 words: step k raises the letter at position k % 10 by one
    L = 10
    corridor = []
    w = ["a"] * L
    corridor.append("".join(w))
    for k in range(250):
        w[k % L] = chr(ord(w[k % L]) + 1)
        corridor.append("".join(w))
    noise = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=L)) for _ in range(15000)]
    words = corridor[1:] + noise
    rng.shuffle(words)
    assert candidate(corridor[0], corridor[-1], words) == 251
    assert candidate(corridor[-1], corridor[0], words + [corridor[0]]) == 251
    assert candidate(corridor[0], corridor[120], words) == 121
    assert candidate(corridor[0], "abcdefghij", words) == 0
    assert candidate(corridor[0], corridor[-1], corridor[1:200] + corridor[201:] + noise) == 0
'''
