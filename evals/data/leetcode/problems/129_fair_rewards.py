# Two passes (left-to-right and right-to-left) greedy.
DIFFICULTY = "hard"
ENTRY_POINT = "fair_rewards"

PROMPT = r'''
def fair_rewards(scores: list[int]) -> int:
    """Children stand in a line with the given scores. Give each child a positive
    integer number of tokens such that any child whose score is strictly higher than
    an adjacent child's score receives strictly more tokens than that neighbour
    (equal neighbours have no constraint). Return the minimum total number of tokens.

    Constraints: 0 <= len(scores) <= 10**5, 0 <= scores[i] <= 10**9.

    >>> fair_rewards([1, 0, 2])
    5
    >>> fair_rewards([1, 2, 2])
    4
    """
'''

SOLUTION = r'''
    n = len(scores)
    tokens = [1] * n
    for i in range(1, n):
        if scores[i] > scores[i - 1]:
            tokens[i] = tokens[i - 1] + 1
    for i in range(n - 2, -1, -1):
        if scores[i] > scores[i + 1] and tokens[i] <= tokens[i + 1]:
            tokens[i] = tokens[i + 1] + 1
    return sum(tokens)
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # single left-to-right pass: misses decreasing stretches
    n = len(scores)
    tokens = [1] * n
    for i in range(1, n):
        if scores[i] > scores[i - 1]:
            tokens[i] = tokens[i - 1] + 1
        elif scores[i] < scores[i - 1] and tokens[i - 1] == 1:
            tokens[i - 1] = 2
    return sum(tokens)
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 0, 2]) == 5
    assert candidate([1, 2, 2]) == 4
    assert candidate([]) == 0
    assert candidate([7]) == 1
    assert candidate([3, 3, 3]) == 3
    assert candidate([1, 2, 3]) == 6
    assert candidate([3, 2, 1]) == 6
    assert candidate([1, 3, 2, 2, 1]) == 7
    assert candidate([1, 2, 87, 87, 87, 2, 1]) == 13
    assert candidate([5, 4, 3, 5, 6, 2]) == 12

    import itertools
    import random
    rng = random.Random(129)

    def slow(s):
        # fixed-point relaxation from all ones
        t = [1] * len(s)
        changed = True
        while changed:
            changed = False
            for i in range(len(s)):
                for j in (i - 1, i + 1):
                    if 0 <= j < len(s) and s[i] > s[j] and t[i] <= t[j]:
                        t[i] = t[j] + 1
                        changed = True
        return sum(t)

    for _ in range(150):
        s = [rng.randint(0, 4) for _ in range(rng.randint(0, 10))]
        assert candidate(list(s)) == slow(s), s

    n = 100000
    assert candidate(list(range(n))) == n * (n + 1) // 2
    assert candidate(list(range(n, 0, -1))) == n * (n + 1) // 2
    valley = list(range(n // 2, 0, -1)) + list(range(1, n // 2 + 1))
    assert candidate(valley) == 2 * ((n // 2) * (n // 2 + 1) // 2)
    peak = list(range(n // 2)) + list(range(n // 2, -1, -1))
    m = n // 2
    assert candidate(peak) == m * (m + 1) // 2 + (m + 1) * (m + 2) // 2
'''
