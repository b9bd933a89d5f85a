# Sliding window over positive numbers.
DIFFICULTY = "medium"
ENTRY_POINT = "shortest_run_reaching"

PROMPT = r'''
def shortest_run_reaching(target: int, nums: list[int]) -> int:
    """nums holds positive integers. Return the length of the shortest non-empty
    contiguous run nums[i..j] whose sum is at least target, or 0 if no run reaches it.

    Constraints: 1 <= target <= 10**9, 0 <= len(nums) <= 10**5, 1 <= nums[i] <= 10**4.
    O(n^2) is too slow.

    >>> shortest_run_reaching(7, [2, 3, 1, 2, 4, 3])
    2
    >>> shortest_run_reaching(100, [1, 2, 3])
    0
    """
'''

SOLUTION = r'''
    best = 0
    total = 0
    left = 0
    for right, x in enumerate(nums):
        total += x
        while total >= target:
            if best == 0 or right - left + 1 < best:
                best = right - left + 1
            total -= nums[left]
            left += 1
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = 0
    for i in range(len(nums)):
        s = 0
        for j in range(i, len(nums)):
            s += nums[j]
            if s >= target:
                if best == 0 or j - i + 1 < best:
                    best = j - i + 1
                break
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate(7, [2, 3, 1, 2, 4, 3]) == 2
    assert candidate(100, [1, 2, 3]) == 0
    assert candidate(1, []) == 0
    assert candidate(4, [4]) == 1
    assert candidate(5, [4]) == 0
    assert candidate(4, [1, 4, 4]) == 1
    assert candidate(11, [1, 1, 1, 1, 1, 1, 1, 1]) == 0
    assert candidate(6, [1, 2, 3]) == 3
    assert candidate(15, [5, 1, 3, 5, 10, 7, 4, 9, 2, 8]) == 2

    import random
    rng = random.Random(119)
    for _ in range(120):
        a = [rng.randint(1, 6) for _ in range(rng.randint(0, 10))]
        t = rng.randint(1, 25)
        lens = [j - i + 1 for i in range(len(a)) for j in range(i, len(a)) if sum(a[i:j + 1]) >= t]
        assert candidate(t, list(a)) == min(lens, default=0), (t, a)

    n = 100000
    ones = [1] * n
    assert candidate(n // 2, ones) == n // 2
    assert candidate(n, ones) == n
    assert candidate(n + 1, ones) == 0
    spikes = [1] * n
    spikes[n - 3] = 10**4
    assert candidate(10**4 + 2, spikes) == 3
'''
