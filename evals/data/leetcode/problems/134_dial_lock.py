# BFS over a small implicit state graph.
DIFFICULTY = "medium"
ENTRY_POINT = "dial_lock"

PROMPT = r'''
def dial_lock(blocked: list[str], target: str) -> int:
    """A lock has four wheels, each showing a digit 0-9; it starts at "0000". One move
    turns one wheel by one step up or down, wrapping around (9 -> 0 and 0 -> 9). The
    lock jams if it ever shows a combination in blocked (including the start).
    Return the minimum number of moves to show target without ever showing a blocked
    combination, or -1 if impossible. If target is "0000" (and not blocked) the answer
    is 0.

    Constraints: 0 <= len(blocked) <= 5000; all strings are 4 digits.

    >>> dial_lock(["0201", "0101", "0102", "1212", "2002"], "0202")
    6
    >>> dial_lock(["8888"], "0009")
    1
    """
'''

SOLUTION = r'''
    from collections import deque
    bad = set(blocked)
    if "0000" in bad or target in bad:
        return -1
    if target == "0000":
        return 0
    dist = {"0000": 0}
    q = deque(["0000"])
    while q:
        cur = q.popleft()
        d = dist[cur]
        for i in range(4):
            digit = int(cur[i])
            for step in (1, 9):
                nxt = cur[:i] + str((digit + step) % 10) + cur[i + 1:]
                if nxt not in dist and nxt not in bad:
                    if nxt == target:
                        return d + 1
                    dist[nxt] = d + 1
                    q.append(nxt)
    return -1
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # ignores wrap-around: a wheel cannot go from 0 down to 9
    from collections import deque
    bad = set(blocked)
    if "0000" in bad or target in bad:
        return -1
    dist = {"0000": 0}
    q = deque(["0000"])
    while q:
        cur = q.popleft()
        if cur == target:
            return dist[cur]
        for i in range(4):
            digit = int(cur[i])
            for nd in (digit - 1, digit + 1):
                if 0 <= nd <= 9:
                    nxt = cur[:i] + str(nd) + cur[i + 1:]
                    if nxt not in dist and nxt not in bad:
                        dist[nxt] = dist[cur] + 1
                        q.append(nxt)
    return -1
'''

TEST = r'''
def check(candidate):
    assert candidate(["0201", "0101", "0102", "1212", "2002"], "0202") == 6
    assert candidate(["8888"], "0009") == 1
    assert candidate([], "0000") == 0
    assert candidate(["0000"], "0000") == -1
    assert candidate(["0000"], "1111") == -1
    assert candidate([], "5555") == 20
    assert candidate([], "9999") == 4
    assert candidate(["8887", "8889", "8878", "8898", "8788", "8988", "7888", "9888"], "8888") == -1
    assert candidate(["1234"], "1234") == -1
    assert candidate(["0001", "0009"], "0002") == 4

    def dist_no_block(t):
        return sum(min(int(c), 10 - int(c)) for c in t)

    import random
    rng = random.Random(134)
    for _ in range(10):
        t = "".join(rng.choice("0123456789") for _ in range(4))
        assert candidate([], t) == dist_no_block(t), t

    rnd = ["%04d" % rng.randrange(10000) for _ in range(2000)]
    rnd = [c for c in rnd if c not in ("0000", "7373")]
    assert candidate(rnd, "7373") == 12
'''
