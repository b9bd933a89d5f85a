# Greedy: place items with a gap.
DIFFICULTY = "easy"
ENTRY_POINT = "can_plant"

PROMPT = r'''
def can_plant(bed: list[int], k: int) -> bool:
    """bed describes a row of plots: 1 = already planted, 0 = empty. No two planted
    plots may be adjacent (the input already respects this). Return True if k new
    plants can be added to empty plots without breaking the rule. Do not modify bed.

    Constraints: 0 <= len(bed) <= 10**5, 0 <= k <= len(bed).

    >>> can_plant([1, 0, 0, 0, 1], 1)
    True
    >>> can_plant([1, 0, 0, 0, 1], 2)
    False
    """
'''

SOLUTION = r'''
    count = 0
    prev_planted = False
    n = len(bed)
    for i in range(n):
        if bed[i] == 1:
            prev_planted = True
            continue
        next_planted = i + 1 < n and bed[i + 1] == 1
        if not prev_planted and not next_planted:
            count += 1
            prev_planted = True
        else:
            prev_planted = False
    return count >= k
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 0, 0, 0, 1], 1) is True
    assert candidate([1, 0, 0, 0, 1], 2) is False
    assert candidate([], 0) is True
    assert candidate([0], 1) is True
    assert candidate([1], 1) is False
    assert candidate([0, 0], 1) is True
    assert candidate([0, 0], 2) is False
    assert candidate([0, 0, 0], 2) is True
    assert candidate([1, 0, 1], 1) is False
    assert candidate([0, 1, 0], 1) is False
    assert candidate([1, 0, 0, 0, 0, 1], 2) is False
    assert candidate([0, 0, 1, 0, 0], 2) is True
    b = [0, 0, 0]
    candidate(b, 2)
    assert b == [0, 0, 0]

    import itertools
    for n in range(0, 9):
        for bed in itertools.product((0, 1), repeat=n):
            if any(bed[i] and bed[i + 1] for i in range(n - 1)):
                continue
            best = 0
            for extra in itertools.product((0, 1), repeat=n):
                new = [a or b for a, b in zip(bed, extra)]
                if all(not (a and b) for a, b in zip(bed, extra)) and not any(new[i] and new[i + 1] for i in range(n - 1)):
                    best = max(best, sum(extra))
            assert candidate(list(bed), best) is True, bed
            if best + 1 <= n:
                assert candidate(list(bed), best + 1) is False, bed
    n = 100000
    assert candidate([0] * n, n // 2) is True
    assert candidate([0] * n, n // 2 + 1) is False
    assert candidate([1, 0] * (n // 2), 1) is False
'''
