# Prefix/suffix products under a modulus.
DIFFICULTY = "medium"
ENTRY_POINT = "products_without_self"

PROMPT = r'''
def products_without_self(nums: list[int]) -> list[int]:
    """Return a list out of the same length where out[i] is the product of all
    elements of nums except nums[i], taken modulo 1_000_000_007 (a value in
    0..1_000_000_006, as Python's % gives). For a single-element list the product
    of no elements is 1.

    Constraints: 1 <= len(nums) <= 10**5, -10**9 <= nums[i] <= 10**9 (zeros allowed).
    Aim for O(n) time.

    >>> products_without_self([1, 2, 3, 4])
    [24, 12, 8, 6]
    >>> products_without_self([2, 0, -3])
    [0, 1000000001, 0]
    """
'''

SOLUTION = r'''
    MOD = 1_000_000_007
    n = len(nums)
    out = [1] * n
    acc = 1
    for i in range(n):
        out[i] = acc
        acc = acc * nums[i] % MOD
    acc = 1
    for i in range(n - 1, -1, -1):
        out[i] = out[i] * acc % MOD
        acc = acc * nums[i] % MOD
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    MOD = 1_000_000_007
    out = []
    for i in range(len(nums)):
        p = 1
        for j, x in enumerate(nums):
            if j != i:
                p = p * x % MOD
        out.append(p)
    return out
'''

TEST = r'''
def check(candidate):
    M = 1_000_000_007
    assert candidate([1, 2, 3, 4]) == [24, 12, 8, 6]
    assert candidate([2, 0, -3]) == [0, (-6) % M, 0]
    assert candidate([5]) == [1]
    assert candidate([0]) == [1]
    assert candidate([0, 0]) == [0, 0]
    assert candidate([0, 7]) == [7, 0]
    assert candidate([-1, -1]) == [M - 1, M - 1]
    assert candidate([10**9, 10**9, 10**9]) == [10**18 % M] * 3
    assert candidate([3, -4]) == [M - 4, 3]

    def slow(a):
        out = []
        for i in range(len(a)):
            p = 1
            for j in range(len(a)):
                if j != i:
                    p *= a[j]
            out.append(p % M)
        return out

    import random
    rng = random.Random(24)
    for _ in range(60):
        a = [rng.randint(-3, 3) for _ in range(rng.randint(1, 7))]
        assert candidate(list(a)) == slow(a), a
    n = 100000
    a = [(i * 7919) % 2001 - 1000 or 1 for i in range(n)]
    a[5000] = 0
    got = candidate(list(a))
    p = 1
    for i, x in enumerate(a):
        if i != 5000:
            p = p * x % M
    assert got[5000] == p
    assert got[:5000] == [0] * 5000 and got[5001:] == [0] * (n - 5001)
    b = [(i % 1000) + 1 for i in range(n)]
    got = candidate(list(b))
    total = 1
    for x in b:
        total = total * x % M
    inv = {x: pow(x, M - 2, M) for x in set(b)}
    assert got == [total * inv[x] % M for x in b]
'''
