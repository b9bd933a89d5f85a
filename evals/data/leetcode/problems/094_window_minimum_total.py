# Monotonic stack: contribution of each element as a subarray minimum.
DIFFICULTY = "medium"
ENTRY_POINT = "window_minimum_total"

PROMPT = r'''
def window_minimum_total(nums: list[int]) -> int:
    """Return the sum of min(nums[i..j]) over all pairs 0 <= i <= j < len(nums)
    (every non-empty contiguous subarray contributes its minimum), modulo
    1_000_000_007. Return 0 for an empty list.

    Constraints: 0 <= len(nums) <= 10**5, 1 <= nums[i] <= 3 * 10**4.
    Enumerating all subarrays is too slow.

    >>> window_minimum_total([3, 1, 2, 4])
    17
    """
'''

SOLUTION = r'''
    MOD = 1_000_000_007
    n = len(nums)
    left = [0] * n   # number of choices for i: previous strictly smaller element bounds it
    stack = []
    for k in range(n):
        while stack and nums[stack[-1]] >= nums[k]:
            stack.pop()
        left[k] = k - (stack[-1] if stack else -1)
        stack.append(k)
    total = 0
    stack = []
    for k in range(n - 1, -1, -1):
        while stack and nums[stack[-1]] > nums[k]:
            stack.pop()
        right = (stack[-1] if stack else n) - k
        total += nums[k] * left[k] * right
        stack.append(k)
    return total % MOD
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    MOD = 1_000_000_007
    total = 0
    for i in range(len(nums)):
        low = nums[i]
        for j in range(i, len(nums)):
            if nums[j] < low:
                low = nums[j]
            total += low
    return total % MOD
'''

TEST = r'''
def check(candidate):
    M = 1_000_000_007
    assert candidate([3, 1, 2, 4]) == 17
    assert candidate([]) == 0
    assert candidate([5]) == 5
    assert candidate([2, 2]) == 6
    assert candidate([1, 2, 3]) == 10
    assert candidate([3, 2, 1]) == 10
    assert candidate([11, 81, 94, 43, 3]) == 444

    import random
    rng = random.Random(94)
    for _ in range(100):
        a = [rng.randint(1, 4) for _ in range(rng.randint(0, 10))]
        exp = sum(min(a[i:j + 1]) for i in range(len(a)) for j in range(i, len(a))) % M
        assert candidate(list(a)) == exp, a

    n = 100000
    assert candidate([1] * n) == (n * (n + 1) // 2) % M
    assert candidate([3 * 10**4] * n) == (3 * 10**4 * n * (n + 1) // 2) % M
    up = list(range(1, n + 1))
    assert candidate(up) == sum(v * (n - v + 1) for v in up) % M
    big = [rng.randint(1, 3 * 10**4) for _ in range(n)]
    assert candidate(big) == 23982626
'''
