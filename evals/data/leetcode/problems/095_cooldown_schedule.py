# Greedy counting: task scheduling with a cooldown.
DIFFICULTY = "medium"
ENTRY_POINT = "cooldown_schedule"

PROMPT = r'''
def cooldown_schedule(tasks: str, gap: int) -> int:
    """A machine runs unit-time jobs; tasks lists them, one letter per job (the letter
    is the job's type). Jobs may run in any order. Two jobs of the same type must be
    separated by at least gap time units (other jobs or idle units in between). Each
    time unit runs one job or idles. Return the minimum total number of time units
    needed to run all jobs.

    Constraints: 0 <= len(tasks) <= 10**5, uppercase letters A-Z, 0 <= gap <= 100.

    >>> cooldown_schedule("AAABBB", 2)
    8
    >>> cooldown_schedule("AAABBB", 0)
    6
    """
'''

SOLUTION = r'''
    if not tasks:
        return 0
    counts = {}
    for t in tasks:
        counts[t] = counts.get(t, 0) + 1
    top = max(counts.values())
    tied = sum(1 for c in counts.values() if c == top)
    return max(len(tasks), (top - 1) * (gap + 1) + tied)
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    if not tasks:
        return 0
    counts = {}
    for t in tasks:
        counts[t] = counts.get(t, 0) + 1
    top = max(counts.values())
    return max(len(tasks), (top - 1) * (gap + 1) + 1)
'''

TEST = r'''
def check(candidate):
    assert candidate("AAABBB", 2) == 8
    assert candidate("AAABBB", 0) == 6
    assert candidate("", 5) == 0
    assert candidate("A", 100) == 1
    assert candidate("AA", 3) == 5
    assert candidate("AAAAAABCDEFG", 2) == 16
    assert candidate("ABCABCD", 3) == 7
    assert candidate("ABCABC", 3) == 7
    assert candidate("ABCDE", 4) == 5
    assert candidate("AAB", 1) == 3

    import heapq
    import random
    rng = random.Random(95)

    def simulate(ts, gap):
        # greedy simulation: at each time run the available type with most jobs left
        left = {}
        for t in ts:
            left[t] = left.get(t, 0) + 1
        ready = {t: 0 for t in left}
        time = 0
        remaining = len(ts)
        while remaining:
            avail = [t for t in left if left[t] and ready[t] <= time]
            if avail:
                t = max(avail, key=lambda x: (left[x], x))
                left[t] -= 1
                ready[t] = time + gap + 1
                remaining -= 1
            time += 1
        return time

    for _ in range(150):
        ts = "".join(rng.choice("ABCD") for _ in range(rng.randint(0, 12)))
        g = rng.randint(0, 4)
        assert candidate(ts, g) == simulate(ts, g), (ts, g)

    n = 100000
    assert candidate("A" * n, 100) == (n - 1) * 101 + 1
    assert candidate("AB" * (n // 2), 1) == n
    letters = "".join(chr(65 + i % 26) for i in range(n))
    assert candidate(letters, 100) == (3847 - 1) * 101 + 4
    assert candidate("A" * 1000 + "B" * 1000 + "C" * 999, 2) == 2999
    assert candidate("A" * 1000 + "B" * 1000 + "C" * 998, 2) == 2999
    assert candidate("C" * 998 + "A" * 1000 + "B" * 1000, 3) == 3998
'''
