# DP: unbounded coin change (minimum count).
DIFFICULTY = "medium"
ENTRY_POINT = "fewest_coins"

PROMPT = r'''
def fewest_coins(coins: list[int], amount: int) -> int:
    """You have an unlimited supply of coins of each denomination in coins. Return the
    minimum number of coins whose values add up to exactly amount, or -1 if amount
    cannot be formed. Forming 0 needs 0 coins.

    Constraints: 1 <= len(coins) <= 12, 1 <= coins[i] <= 10**4 (denominations may
    repeat), 0 <= amount <= 2 * 10**4.

    >>> fewest_coins([1, 2, 5], 11)
    3
    >>> fewest_coins([2], 3)
    -1
    """
'''

SOLUTION = r'''
    INF = amount + 1
    best = [0] + [INF] * amount
    for c in set(coins):
        for v in range(c, amount + 1):
            cand = best[v - c] + 1
            if cand < best[v]:
                best[v] = cand
    return best[amount] if best[amount] <= amount else -1
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    count = 0
    for c in sorted(set(coins), reverse=True):
        count += amount // c
        amount %= c
    return count if amount == 0 else -1
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 5], 11) == 3
    assert candidate([2], 3) == -1
    assert candidate([1], 0) == 0
    assert candidate([7], 0) == 0
    assert candidate([1, 3, 4], 6) == 2
    assert candidate([1, 5, 6, 9], 11) == 2
    assert candidate([2, 5], 3) == -1
    assert candidate([5, 2], 11) == 4
    assert candidate([3, 3, 3], 9) == 3
    assert candidate([10**4], 2 * 10**4) == 2
    assert candidate([186, 419, 83, 408], 6249) == 20

    def slow(coins, amount):
        INF = float("inf")
        b = [0] + [INF] * amount
        for v in range(1, amount + 1):
            for c in coins:
                if c <= v and b[v - c] + 1 < b[v]:
                    b[v] = b[v - c] + 1
        return -1 if b[amount] == INF else b[amount]

    import random
    rng = random.Random(37)
    for _ in range(60):
        cs = [rng.randint(1, 30) for _ in range(rng.randint(1, 4))]
        amt = rng.randint(0, 120)
        assert candidate(list(cs), amt) == slow(cs, amt), (cs, amt)

    cs = [9973, 7919, 4999, 3001, 1009, 503, 211, 97, 37, 11, 7, 2]
    assert candidate(cs, 20000) == slow(cs, 20000)
    assert candidate([9999, 9998], 19997) == 2
    assert candidate([9999, 9998], 19996) == 2
    assert candidate([9999, 9998], 19995) == -1
'''
