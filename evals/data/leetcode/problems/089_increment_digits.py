# Arrays: add one to a number stored as digits.
DIFFICULTY = "easy"
ENTRY_POINT = "increment_digits"

PROMPT = r'''
def increment_digits(digits: list[int]) -> list[int]:
    """digits holds a non-negative integer, most significant digit first, without
    leading zeros (the number 0 is [0]). Return the digits of that number plus one,
    in the same format, as a new list.

    Constraints: 1 <= len(digits) <= 10**5, 0 <= digits[i] <= 9.

    >>> increment_digits([1, 2, 9])
    [1, 3, 0]
    >>> increment_digits([9, 9])
    [1, 0, 0]
    """
'''

SOLUTION = r'''
    out = list(digits)
    i = len(out) - 1
    while i >= 0 and out[i] == 9:
        out[i] = 0
        i -= 1
    if i < 0:
        return [1] + out
    out[i] += 1
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 2, 9]) == [1, 3, 0]
    assert candidate([9, 9]) == [1, 0, 0]
    assert candidate([0]) == [1]
    assert candidate([9]) == [1, 0]
    assert candidate([1, 0, 0]) == [1, 0, 1]
    assert candidate([8, 9, 9, 9]) == [9, 0, 0, 0]
    d = [4, 5]
    assert candidate(d) == [4, 6] and d == [4, 5]
    n = 100000
    assert candidate([9] * n) == [1] + [0] * n
    assert candidate([1] + [9] * (n - 1)) == [2] + [0] * (n - 1)
    assert candidate([3] * n) == [3] * (n - 1) + [4]
'''
