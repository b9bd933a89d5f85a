# Voting / counting.
DIFFICULTY = "easy"
ENTRY_POINT = "majority_value"

PROMPT = r'''
from typing import Optional


def majority_value(nums: list[int]) -> Optional[int]:
    """Return the value that occurs strictly more than len(nums) // 2 times in nums,
    or None if no value does (in particular for an empty list).

    Constraints: 0 <= len(nums) <= 10**5, -10**9 <= nums[i] <= 10**9.

    >>> majority_value([2, 7, 2, 2, 5])
    2
    >>> majority_value([1, 2, 1, 2])
    """
'''

SOLUTION = r'''
    cand, votes = None, 0
    for x in nums:
        if votes == 0:
            cand, votes = x, 1
        elif x == cand:
            votes += 1
        else:
            votes -= 1
    if votes and nums.count(cand) > len(nums) // 2:
        return cand
    return None
'''

TEST = r'''
def check(candidate):
    assert candidate([2, 7, 2, 2, 5]) == 2
    assert candidate([1, 2, 1, 2]) is None
    assert candidate([]) is None
    assert candidate([4]) == 4
    assert candidate([0, 0]) == 0
    assert candidate([1, 2]) is None
    assert candidate([3, 3, 4]) == 3
    assert candidate([1, 2, 3, 1, 2, 3, 3]) is None
    assert candidate([-1, -1, 5, -1, 6]) == -1
    assert candidate([5, 1, 5, 2, 5, 3, 5]) == 5
    n = 100000
    assert candidate([7 if i % 2 else i for i in range(n)] + [7]) == 7
    assert candidate([7 if i % 2 else -i - 1 for i in range(n)]) is None
'''
