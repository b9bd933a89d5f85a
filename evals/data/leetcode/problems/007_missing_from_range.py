# Math / bit tricks.
DIFFICULTY = "easy"
ENTRY_POINT = "missing_from_range"

PROMPT = r'''
def missing_from_range(nums: list[int]) -> int:
    """nums holds n distinct integers taken from the range 0..n inclusive (n + 1
    candidates), in any order. Exactly one value of that range is absent: return it.

    Constraints: 0 <= n = len(nums) <= 10**5.

    >>> missing_from_range([3, 0, 1])
    2
    >>> missing_from_range([])
    0
    """
'''

SOLUTION = r'''
    n = len(nums)
    return n * (n + 1) // 2 - sum(nums)
'''

TEST = r'''
def check(candidate):
    assert candidate([3, 0, 1]) == 2
    assert candidate([]) == 0
    assert candidate([0]) == 1
    assert candidate([1]) == 0
    assert candidate([1, 2]) == 0
    assert candidate([0, 1]) == 2
    assert candidate([9, 6, 4, 2, 3, 5, 7, 0, 1]) == 8
    n = 100000
    for miss in (0, 4321, n):
        arr = [(i * 37) % (n + 1) for i in range(n + 1)]
        arr.remove(miss)
        assert candidate(arr) == miss
'''
