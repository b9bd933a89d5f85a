# DP over (trades used, holding) states.
DIFFICULTY = "hard"
ENTRY_POINT = "limited_trades"

PROMPT = r'''
def limited_trades(k: int, prices: list[int]) -> int:
    """prices[d] is the price of a stock on day d. You may complete at most k trades,
    where a trade is buying one share on some day and selling it on a later day. You
    can hold at most one share at a time (sell before buying again; selling and
    buying again on the same day is allowed). Return the maximum total profit
    (0 if no trade is profitable).

    Constraints: 0 <= k <= 10**9, 0 <= len(prices) <= 10**4, 0 <= prices[d] <= 10**4;
    also k * len(prices) may be huge, so the work must not grow with k beyond
    len(prices) // 2.

    >>> limited_trades(2, [3, 2, 6, 5, 0, 3])
    7
    >>> limited_trades(1, [3, 2, 6, 5, 0, 3])
    4
    """
'''

SOLUTION = r'''
    n = len(prices)
    if n < 2 or k == 0:
        return 0
    if k >= n // 2:
        return sum(max(0, prices[d + 1] - prices[d]) for d in range(n - 1))
    buy = [-10**18] * (k + 1)   # best cash while holding, having started j trades
    sell = [0] * (k + 1)        # best cash while not holding, having finished j trades
    for p in prices:
        for j in range(1, k + 1):
            b = sell[j - 1] - p
            if b > buy[j]:
                buy[j] = b
            s = buy[j] + p
            if s > sell[j]:
                sell[j] = s
    return max(sell)
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # take the k largest rising runs (ignores that merging runs can be better)
    n = len(prices)
    runs = []
    d = 0
    while d < n - 1:
        while d < n - 1 and prices[d + 1] <= prices[d]:
            d += 1
        lo = prices[d]
        while d < n - 1 and prices[d + 1] >= prices[d]:
            d += 1
        if prices[d] > lo:
            runs.append(prices[d] - lo)
    runs.sort(reverse=True)
    return sum(runs[:k])
'''

TEST = r'''
def check(candidate):
    assert candidate(2, [3, 2, 6, 5, 0, 3]) == 7
    assert candidate(1, [3, 2, 6, 5, 0, 3]) == 4
    assert candidate(2, [2, 4, 1]) == 2
    assert candidate(0, [1, 5]) == 0
    assert candidate(3, []) == 0
    assert candidate(3, [5]) == 0
    assert candidate(1, [1, 2]) == 1
    assert candidate(5, [5, 4, 3, 2, 1]) == 0
    assert candidate(1, [1, 5, 3, 8]) == 7
    assert candidate(2, [1, 5, 3, 8]) == 9
    assert candidate(10**9, [1, 5, 3, 8, 2, 9]) == 16
    assert candidate(2, [1, 2, 4, 2, 5, 7, 2, 4, 9, 0]) == 13

    import random
    rng = random.Random(98)

    def slow(k, p):
        n = len(p)
        best = {}
        def go(d, left, holding):
            if d == n or left == 0 and not holding:
                return 0
            key = (d, left, holding)
            if key in best:
                return best[key]
            r = go(d + 1, left, holding)
            if holding:
                r = max(r, p[d] + go(d + 1, left - 1, False))
                r = max(r, p[d] - p[d] + go(d + 1, left, True))
            else:
                r = max(r, -p[d] + go(d + 1, left, True))
            best[key] = r
            return r
        return go(0, k, False)

    for _ in range(150):
        p = [rng.randint(0, 9) for _ in range(rng.randint(0, 9))]
        k = rng.randint(0, 4)
        assert candidate(k, list(p)) == slow(k, p), (k, p)

    n = 10**4
    saw = [(d % 10) * 100 for d in range(n)]
    assert candidate(10**9, saw) == 900 * (n // 10)
    assert candidate(30, saw) == 30 * 900
    big = [rng.randint(0, 10**4) for _ in range(3000)]
    assert candidate(40, big) == 392696
'''
