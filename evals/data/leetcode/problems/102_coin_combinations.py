# DP: count coin combinations (order does not matter).
DIFFICULTY = "medium"
ENTRY_POINT = "coin_combinations"

PROMPT = r'''
def coin_combinations(amount: int, coins: list[int]) -> int:
    """coins lists distinct denominations, each available in unlimited supply. Return
    the number of different multisets of coins whose values sum to exactly amount
    (the order of coins does not matter: 1+2 and 2+1 are the same combination),
    modulo 1_000_000_007. Forming 0 has exactly one combination (no coins).

    Constraints: 0 <= amount <= 10**4, 0 <= len(coins) <= 100, 1 <= coins[i] <= 10**4,
    coins are distinct.

    >>> coin_combinations(5, [1, 2, 5])
    4
    >>> coin_combinations(3, [2])
    0
    """
'''

SOLUTION = r'''
    MOD = 1_000_000_007
    ways = [1] + [0] * amount
    for c in coins:
        for v in range(c, amount + 1):
            ways[v] = (ways[v] + ways[v - c]) % MOD
    return ways[amount]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # counts ordered sequences instead of combinations
    MOD = 1_000_000_007
    ways = [1] + [0] * amount
    for v in range(1, amount + 1):
        for c in coins:
            if c <= v:
                ways[v] = (ways[v] + ways[v - c]) % MOD
    return ways[amount]
'''

TEST = r'''
def check(candidate):
    M = 1_000_000_007
    assert candidate(5, [1, 2, 5]) == 4
    assert candidate(3, [2]) == 0
    assert candidate(0, []) == 1
    assert candidate(0, [7]) == 1
    assert candidate(7, []) == 0
    assert candidate(10, [10]) == 1
    assert candidate(4, [1, 2]) == 3
    assert candidate(12, [3, 4]) == 2

    import random
    rng = random.Random(102)

    def slow(amount, coins):
        coins = sorted(coins)
        def go(i, left):
            if left == 0:
                return 1
            if i == len(coins):
                return 0
            return sum(go(i + 1, left - k * coins[i]) for k in range(left // coins[i] + 1))
        return go(0, amount)

    for _ in range(80):
        cs = rng.sample(range(1, 12), rng.randint(0, 4))
        amt = rng.randint(0, 25)
        assert candidate(amt, list(cs)) == slow(amt, cs) % M, (amt, cs)

    # partitions of 10000 into parts of size at most 100, modulo M (checked independently)
    assert candidate(10000, list(range(1, 101))) == 6014490
    assert candidate(9999, [2, 4, 6, 8]) == 0
    assert candidate(10000, [10**4, 5000, 1]) == 4
'''
