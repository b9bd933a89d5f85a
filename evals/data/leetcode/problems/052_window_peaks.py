# Monotonic deque: sliding window maximum.
DIFFICULTY = "hard"
ENTRY_POINT = "window_peaks"

PROMPT = r'''
def window_peaks(nums: list[int], k: int) -> list[int]:
    """Slide a window of length k over nums from left to right, one position at a
    time. Return the list of window maxima: element i is max(nums[i:i + k]), for
    i = 0 .. len(nums) - k. If k > len(nums) return [].

    Constraints: 0 <= len(nums) <= 2 * 10**5, 1 <= k <= 2 * 10**5,
    -10**9 <= nums[i] <= 10**9. O(n * k) is too slow.

    >>> window_peaks([1, 3, -1, -3, 5, 3, 6, 7], 3)
    [3, 3, 5, 5, 6, 7]
    """
'''

SOLUTION = r'''
    from collections import deque
    dq = deque()  # indices whose values decrease from left to right
    out = []
    for i, x in enumerate(nums):
        while dq and nums[dq[-1]] <= x:
            dq.pop()
        dq.append(i)
        if dq[0] <= i - k:
            dq.popleft()
        if i >= k - 1:
            out.append(nums[dq[0]])
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    return [max(nums[i:i + k]) for i in range(len(nums) - k + 1)]
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 3, -1, -3, 5, 3, 6, 7], 3) == [3, 3, 5, 5, 6, 7]
    assert candidate([], 1) == []
    assert candidate([4], 1) == [4]
    assert candidate([4], 2) == []
    assert candidate([1, 2], 2) == [2]
    assert candidate([5, 4, 3], 1) == [5, 4, 3]
    assert candidate([2, 2, 2, 2], 3) == [2, 2]
    assert candidate([-7, -8, -9, -1], 2) == [-7, -8, -1]
    assert candidate([9, 1, 1, 1, 1], 3) == [9, 1, 1]

    import random
    rng = random.Random(52)
    for _ in range(100):
        a = [rng.randint(-5, 5) for _ in range(rng.randint(0, 12))]
        k = rng.randint(1, 13)
        assert candidate(list(a), k) == [max(a[i:i + k]) for i in range(len(a) - k + 1)], (a, k)

    n = 200000
    k = 50000
    down = list(range(n, 0, -1))
    assert candidate(down, k) == [n - i for i in range(n - k + 1)]
    up = list(range(n))
    assert candidate(up, k) == list(range(k - 1, n))
    zig = [(i * 7919) % 100003 for i in range(n)]
    got = candidate(zig, k)
    assert len(got) == n - k + 1
    assert got[0] == max(zig[:k]) and got[-1] == max(zig[-k:]) and got[77777] == max(zig[77777:77777 + k])
'''
