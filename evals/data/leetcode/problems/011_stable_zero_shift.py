# Two pointers: stable partition.
DIFFICULTY = "easy"
ENTRY_POINT = "stable_zero_shift"

PROMPT = r'''
def stable_zero_shift(nums: list[int]) -> None:
    """Rearrange nums IN PLACE so that every zero is moved to the end while the
    non-zero elements keep their original relative order. Return None.

    Constraints: 0 <= len(nums) <= 10**5, values fit in 64-bit signed integers.

    >>> a = [0, 3, 0, -2, 7]
    >>> stable_zero_shift(a)
    >>> a
    [3, -2, 7, 0, 0]
    """
'''

SOLUTION = r'''
    w = 0
    for x in nums:
        if x != 0:
            nums[w] = x
            w += 1
    for k in range(w, len(nums)):
        nums[k] = 0
'''

TEST = r'''
def check(candidate):
    def run(a):
        b = list(a)
        assert candidate(b) is None
        return b

    assert run([0, 3, 0, -2, 7]) == [3, -2, 7, 0, 0]
    assert run([]) == []
    assert run([0]) == [0]
    assert run([5]) == [5]
    assert run([0, 0, 1]) == [1, 0, 0]
    assert run([1, 2, 3]) == [1, 2, 3]
    assert run([4, 0, 4, 0, 4]) == [4, 4, 4, 0, 0]
    assert run([-1, 0, 0, -1]) == [-1, -1, 0, 0]
    n = 100000
    a = [(i % 3) * i for i in range(n)]
    expect = [x for x in a if x] + [0] * sum(1 for x in a if not x)
    assert run(a) == expect
'''
