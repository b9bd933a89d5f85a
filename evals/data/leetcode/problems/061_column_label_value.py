# Math: bijective base-26.
DIFFICULTY = "easy"
ENTRY_POINT = "column_label_value"

PROMPT = r'''
def column_label_value(label: str) -> int:
    """Spreadsheet columns are labelled A, B, ..., Z, AA, AB, ..., AZ, BA, ..., ZZ,
    AAA, and so on. Return the 1-based column number of label (A -> 1, Z -> 26,
    AA -> 27).

    Constraints: 1 <= len(label) <= 12; label consists of uppercase letters A-Z.
    The result can exceed 2**32: return the exact integer.

    >>> column_label_value("AB")
    28
    >>> column_label_value("ZY")
    701
    """
'''

SOLUTION = r'''
    value = 0
    for ch in label:
        value = value * 26 + (ord(ch) - ord("A") + 1)
    return value
'''

TEST = r'''
def check(candidate):
    assert candidate("A") == 1
    assert candidate("Z") == 26
    assert candidate("AA") == 27
    assert candidate("AB") == 28
    assert candidate("AZ") == 52
    assert candidate("BA") == 53
    assert candidate("ZY") == 701
    assert candidate("ZZ") == 702
    assert candidate("AAA") == 703
    assert candidate("XFD") == 16384

    def label(n):
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out

    for n in range(1, 3000):
        assert candidate(label(n)) == n
    for n in (26 ** 6, 26 ** 11 + 5, sum(26 ** k for k in range(1, 13))):
        assert candidate(label(n)) == n
    assert candidate("Z" * 12) == sum(26 ** k for k in range(1, 13))
'''
