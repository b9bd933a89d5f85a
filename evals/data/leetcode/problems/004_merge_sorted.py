# Two pointers: merge two sorted lists.
DIFFICULTY = "easy"
ENTRY_POINT = "merge_sorted"

PROMPT = r'''
def merge_sorted(a: list[int], b: list[int]) -> list[int]:
    """a and b are each sorted in non-decreasing order. Return a new list holding all
    elements of both (duplicates kept), sorted in non-decreasing order.
    Do not modify a or b.

    Constraints: 0 <= len(a), len(b) <= 10**5, values fit in 64-bit signed integers.

    >>> merge_sorted([1, 4, 4, 9], [2, 4, 10])
    [1, 2, 4, 4, 4, 9, 10]
    """
'''

SOLUTION = r'''
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if b[j] < a[i]:
            out.append(b[j])
            j += 1
        else:
            out.append(a[i])
            i += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate([1, 4, 4, 9], [2, 4, 10]) == [1, 2, 4, 4, 4, 9, 10]
    assert candidate([], []) == []
    assert candidate([], [1, 2]) == [1, 2]
    assert candidate([3], []) == [3]
    assert candidate([-5, -1], [-3, 0]) == [-5, -3, -1, 0]
    assert candidate([1, 1, 1], [1, 1]) == [1, 1, 1, 1, 1]
    assert candidate([5, 6], [1, 2]) == [1, 2, 5, 6]
    a, b = [1, 3], [2]
    assert candidate(a, b) == [1, 2, 3] and a == [1, 3] and b == [2]
    x = list(range(0, 200000, 2))
    y = list(range(1, 200000, 2))
    assert candidate(x, y) == list(range(200000))
'''
