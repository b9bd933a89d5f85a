# Arrays: one pass with a running minimum.
DIFFICULTY = "easy"
ENTRY_POINT = "best_single_trade"

PROMPT = r'''
def best_single_trade(prices: list[int]) -> int:
    """prices[d] is the price of an item on day d. You may buy one item on some day
    and sell it on a strictly later day. Return the largest possible profit
    (sell price minus buy price), or 0 if no trade makes a positive profit
    (including when there are fewer than two days).

    Constraints: 0 <= len(prices) <= 10**5, 0 <= prices[d] <= 10**9.

    >>> best_single_trade([7, 2, 5, 1, 6, 4])
    5
    >>> best_single_trade([9, 7, 4])
    0
    """
'''

SOLUTION = r'''
    best = 0
    low = None
    for p in prices:
        if low is None or p < low:
            low = p
        elif p - low > best:
            best = p - low
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([7, 2, 5, 1, 6, 4]) == 5
    assert candidate([9, 7, 4]) == 0
    assert candidate([]) == 0
    assert candidate([5]) == 0
    assert candidate([3, 3, 3]) == 0
    assert candidate([1, 2]) == 1
    assert candidate([2, 1]) == 0
    assert candidate([2, 9, 1, 5]) == 7
    assert candidate([0, 10**9]) == 10**9
    assert candidate([5, 4, 3, 2, 1, 0, 6]) == 6
    n = 100000
    assert candidate(list(range(n, 0, -1))) == 0
    assert candidate([(i * 7919) % 100003 for i in range(n)]) == 100002
'''
