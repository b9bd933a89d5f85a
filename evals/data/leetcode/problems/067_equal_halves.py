# Subset-sum DP (bitset).
DIFFICULTY = "medium"
ENTRY_POINT = "equal_halves"

PROMPT = r'''
def equal_halves(nums: list[int]) -> bool:
    """Return True if nums can be split into two groups (every element in exactly one
    group, a group may be empty) whose sums are equal.

    Constraints: 0 <= len(nums) <= 200, 0 <= nums[i] <= 100.

    >>> equal_halves([1, 5, 11, 5])
    True
    >>> equal_halves([1, 2, 3, 5])
    False
    """
'''

SOLUTION = r'''
    total = sum(nums)
    if total % 2:
        return False
    reach = 1  # bit s set <=> some subset sums to s
    for x in nums:
        reach |= reach << x
    return bool(reach >> (total // 2) & 1)
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    total = sum(nums)
    if total % 2:
        return False
    # greedy: put each value (largest first) into the lighter group
    a = b = 0
    for x in sorted(nums, reverse=True):
        if a <= b:
            a += x
        else:
            b += x
    return a == b
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 5, 11, 5]) is True
    assert candidate([1, 2, 3, 5]) is False
    assert candidate([]) is True
    assert candidate([0]) is True
    assert candidate([7]) is False
    assert candidate([3, 3]) is True
    assert candidate([2, 2, 3, 5]) is False
    assert candidate([3, 3, 2, 2, 2]) is True
    assert candidate([100, 1, 99]) is True
    assert candidate([4, 5, 6, 7, 8]) is True

    import itertools
    import random
    rng = random.Random(67)
    for _ in range(100):
        a = [rng.randint(0, 12) for _ in range(rng.randint(0, 9))]
        total = sum(a)
        sums = {sum(c) for r in range(len(a) + 1) for c in itertools.combinations(a, r)}
        assert candidate(list(a)) is (total % 2 == 0 and total // 2 in sums), a

    assert candidate([4] * 199 + [2]) is False
    assert candidate([100] * 199 + [50, 50, 100]) is True
    assert candidate([99] * 101 + [98] * 99) is False
    assert candidate([2 * k + 1 for k in range(50)] * 4) is True
    for _ in range(5):
        a = [rng.choice((6, 10, 15, 21, 35, 77)) for _ in range(200)]
        total = sum(a)
        reach = 1
        for x in a:
            reach |= reach << x
        assert candidate(list(a)) is (total % 2 == 0 and bool(reach >> (total // 2) & 1))
'''
