# Math: sieve of Eratosthenes.
DIFFICULTY = "medium"
ENTRY_POINT = "primes_below"

PROMPT = r'''
def primes_below(n: int) -> int:
    """Return how many prime numbers are strictly less than n.

    Constraints: 0 <= n <= 10**6. Testing each number by trial division is too
    slow for the largest n.

    >>> primes_below(10)
    4
    >>> primes_below(2)
    0
    """
'''

SOLUTION = r'''
    if n < 3:
        return 0
    sieve = bytearray([1]) * n
    sieve[0] = sieve[1] = 0
    p = 2
    while p * p < n:
        if sieve[p]:
            sieve[p * p::p] = bytes(len(range(p * p, n, p)))
        p += 1
    return sum(sieve)
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    count = 0
    for k in range(2, n):
        d = 2
        while d * d <= k:
            if k % d == 0:
                break
            d += 1
        else:
            count += 1
    return count
'''

TEST = r'''
def check(candidate):
    assert candidate(0) == 0
    assert candidate(1) == 0
    assert candidate(2) == 0
    assert candidate(3) == 1
    assert candidate(4) == 2
    assert candidate(10) == 4
    assert candidate(11) == 4
    assert candidate(12) == 5
    assert candidate(100) == 25
    assert candidate(1000) == 168
    assert candidate(7919) == 999
    assert candidate(7920) == 1000
    assert candidate(10**6) == 78498
    assert candidate(900000) == 71274
    assert candidate(500000) == 41538
    assert candidate(104729) == 9999
    assert candidate(104730) == 10000
'''
