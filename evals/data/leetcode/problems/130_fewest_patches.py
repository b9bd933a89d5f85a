# Greedy on the smallest unreachable sum.
DIFFICULTY = "hard"
ENTRY_POINT = "fewest_patches"

PROMPT = r'''
def fewest_patches(coins: list[int], limit: int) -> int:
    """coins is sorted in non-decreasing order; each coin can be used at most once in
    a sum. Return the minimum number of extra coins (of any positive integer values
    you choose) that must be added so that every integer from 1 to limit inclusive can
    be formed as the sum of some subset of the coins.

    Constraints: 0 <= len(coins) <= 10**5, 1 <= coins[i] <= 10**9, 1 <= limit <= 2**31 - 1.

    >>> fewest_patches([1, 3], 6)
    1
    >>> fewest_patches([1, 5, 10], 20)
    2
    >>> fewest_patches([1, 2, 2], 5)
    0
    """
'''

SOLUTION = r'''
    reach = 0  # every value in 1..reach is already formable
    patches = 0
    i = 0
    while reach < limit:
        if i < len(coins) and coins[i] <= reach + 1:
            reach += coins[i]
            i += 1
        else:
            reach += reach + 1  # add a coin of value reach + 1
            patches += 1
    return patches
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # patches each missing value separately instead of doubling the reach
    reach = 0
    patches = 0
    i = 0
    while reach < limit:
        if i < len(coins) and coins[i] <= reach + 1:
            reach += coins[i]
            i += 1
        else:
            reach += 1
            patches += 1
    return patches
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 3], 6) == 1
    assert candidate([1, 5, 10], 20) == 2
    assert candidate([1, 2, 2], 5) == 0
    assert candidate([], 1) == 1
    assert candidate([], 7) == 3
    assert candidate([], 8) == 4
    assert candidate([2], 1) == 1
    assert candidate([1], 1) == 0
    assert candidate([10**9], 2**31 - 1) == 31
    assert candidate([1, 2, 31, 33], 2147483647) == 28

    import itertools
    import random
    rng = random.Random(130)

    def slow(coins, limit):
        # try adding 0, 1, 2, ... patches with all value combinations up to limit
        def covers(cs):
            sums = {0}
            for c in cs:
                sums |= {s + c for s in sums}
            return all(v in sums for v in range(1, limit + 1))
        for k in range(0, 6):
            for extra in itertools.combinations_with_replacement(range(1, limit + 1), k):
                if covers(list(coins) + list(extra)):
                    return k
        return None

    for _ in range(60):
        coins = sorted(rng.randint(1, 8) for _ in range(rng.randint(0, 4)))
        limit = rng.randint(1, 12)
        assert candidate(list(coins), limit) == slow(coins, limit), (coins, limit)

    n = 100000
    assert candidate([1] * n, n) == 0
    assert candidate([1] * n, n + 1) == 1
    assert candidate([1] * n, 2**31 - 1) == 15
    assert candidate(list(range(1, n + 1)), 2**31 - 1) == 0
    assert candidate([2] * n, 2**31 - 1) == 15
'''
