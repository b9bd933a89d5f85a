# Bit manipulation: maximum XOR of two numbers via prefixes.
DIFFICULTY = "medium"
ENTRY_POINT = "max_pair_xor"

PROMPT = r'''
def max_pair_xor(nums: list[int]) -> int:
    """Return the maximum of nums[i] ^ nums[j] over all pairs of indices i <= j
    (so a single element gives 0, since x ^ x == 0).

    Constraints: 1 <= len(nums) <= 15000, 0 <= nums[i] < 2**31.
    Checking all pairs is too slow.

    >>> max_pair_xor([3, 10, 5, 25, 2, 8])
    28
    """
'''

SOLUTION = r'''
    best = 0
    mask = 0
    for bit in range(30, -1, -1):
        mask |= 1 << bit
        prefixes = {x & mask for x in nums}
        want = best | (1 << bit)
        for p in prefixes:
            if p ^ want in prefixes:
                best = want
                break
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = 0
    for i in range(len(nums)):
        for j in range(i, len(nums)):
            if nums[i] ^ nums[j] > best:
                best = nums[i] ^ nums[j]
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate([3, 10, 5, 25, 2, 8]) == 28
    assert candidate([0]) == 0
    assert candidate([7]) == 0
    assert candidate([7, 7]) == 0
    assert candidate([1, 2]) == 3
    assert candidate([0, 2**31 - 1]) == 2**31 - 1
    assert candidate([14, 70, 53, 83, 49, 91, 36, 80, 92, 51, 66, 70]) == 127
    assert candidate([8, 10, 2]) == 10

    import random
    rng = random.Random(69)
    for _ in range(60):
        a = [rng.randint(0, 64) for _ in range(rng.randint(1, 8))]
        assert candidate(list(a)) == max(x ^ y for x in a for y in a), a

    n = 15000
    big = [rng.randrange(2**30, 2**31) for _ in range(n)]
    got = candidate(list(big))
    hi = max(x ^ y for x in big[:300] for y in big[:300])
    assert got >= hi
    assert got == 1073741820
    evens = [2 * i for i in range(n)]
    assert candidate(evens) == 32766
'''
