import functools
import sys

sys.setrecursionlimit(10000)


def coin_change(coins, amount):
    @functools.cache
    def best(rest):
        if rest == 0:
            return 0
        if rest < 0:
            return float("inf")
        return min(best(rest - c) + 1 for c in coins)

    answer = best(amount)
    return -1 if answer == float("inf") else answer


print(coin_change([1, 2, 5], 11))
print(coin_change([2], 3))
print(coin_change([1, 7, 10], 1400))
