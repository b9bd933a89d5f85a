import math


def sieve(n):
    is_prime = [True] * (n + 1)
    is_prime[0] = is_prime[1] = False
    for i in range(2, math.isqrt(n) + 1):
        if is_prime[i]:
            is_prime[i * i :: i] = [False] * len(is_prime[i * i :: i])
    return [i for i, p in enumerate(is_prime) if p]


primes = sieve(100000)
print(len(primes), primes[-3:])
print(math.gcd(462, 1071), math.lcm(4, 6, 10), math.comb(50, 25), math.factorial(20))
print(f"{math.pi:.10f} {math.sqrt(2):.12f} {math.log(1e6, 10):.6f}")
print(pow(3, 10**6, 10**9 + 7))
