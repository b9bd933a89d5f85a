# Monotonic deque over prefix sums (negative values allowed).
DIFFICULTY = "hard"
ENTRY_POINT = "shortest_run_with_debts"

PROMPT = r'''
def shortest_run_with_debts(nums: list[int], target: int) -> int:
    """nums may contain negative numbers. Return the length of the shortest non-empty
    contiguous run nums[i..j] whose sum is at least target, or -1 if there is none.

    Constraints: 0 <= len(nums) <= 10**5, -10**5 <= nums[i] <= 10**5,
    1 <= target <= 10**9. O(n^2) is too slow, and a plain two-pointer window is wrong
    when values can be negative.

    >>> shortest_run_with_debts([2, -1, 2], 3)
    3
    >>> shortest_run_with_debts([1, 2], 4)
    -1
    """
'''

SOLUTION = r'''
    from collections import deque
    prefix = [0]
    for x in nums:
        prefix.append(prefix[-1] + x)
    best = len(nums) + 1
    dq = deque()  # indices with increasing prefix sums
    for j, p in enumerate(prefix):
        while dq and p - prefix[dq[0]] >= target:
            i = dq.popleft()
            if j - i < best:
                best = j - i
        while dq and prefix[dq[-1]] >= p:
            dq.pop()
        dq.append(j)
    return best if best <= len(nums) else -1
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    best = 0
    total = 0
    left = 0
    for right, x in enumerate(nums):
        total += x
        while total >= target and left <= right:
            if best == 0 or right - left + 1 < best:
                best = right - left + 1
            total -= nums[left]
            left += 1
    return best if best else -1
'''

TEST = r'''
def check(candidate):
    assert candidate([2, -1, 2], 3) == 3
    assert candidate([1, 2], 4) == -1
    assert candidate([], 1) == -1
    assert candidate([5], 5) == 1
    assert candidate([5], 6) == -1
    assert candidate([-5], 1) == -1
    assert candidate([1, -1, 1, -1, 5], 5) == 1
    assert candidate([84, -37, 32, 40, 95], 167) == 3
    assert candidate([-28, 81, -20, 28, -29], 89) == 3
    assert candidate([3, -2, 5], 4) == 1
    assert candidate([1, -10, 3, 4], 7) == 2

    import random
    rng = random.Random(121)
    for _ in range(150):
        a = [rng.randint(-5, 6) for _ in range(rng.randint(0, 10))]
        t = rng.randint(1, 12)
        lens = [j - i + 1 for i in range(len(a)) for j in range(i, len(a)) if sum(a[i:j + 1]) >= t]
        assert candidate(list(a), t) == min(lens, default=-1), (a, t)

    n = 100000
    alt = [100, -99] * (n // 2)
    assert candidate(alt, 100) == 1
    assert candidate(alt, 101) == 3
    assert candidate(alt, 150) == 101
    drift = [-1] * n
    assert candidate(drift, 1) == -1
    big = [rng.randint(-10**5, 10**5) for _ in range(n)]
    assert candidate(big, 10**6) == 21
'''
