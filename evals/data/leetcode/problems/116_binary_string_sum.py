# Strings: add two binary numbers digit by digit.
DIFFICULTY = "easy"
ENTRY_POINT = "binary_string_sum"

PROMPT = r'''
def binary_string_sum(a: str, b: str) -> str:
    """a and b are binary numbers written as strings of '0' and '1' without leading
    zeros (zero itself is "0"). Return their sum in the same format.

    Constraints: 1 <= len(a), len(b) <= 10**4.

    >>> binary_string_sum("11", "1")
    '100'
    >>> binary_string_sum("1010", "1011")
    '10101'
    """
'''

SOLUTION = r'''
    out = []
    i, j, carry = len(a) - 1, len(b) - 1, 0
    while i >= 0 or j >= 0 or carry:
        total = carry
        if i >= 0:
            total += a[i] == "1"
            i -= 1
        if j >= 0:
            total += b[j] == "1"
            j -= 1
        out.append("1" if total % 2 else "0")
        carry = total // 2
    result = "".join(reversed(out)).lstrip("0")
    return result or "0"
'''

TEST = r'''
def check(candidate):
    assert candidate("11", "1") == "100"
    assert candidate("1010", "1011") == "10101"
    assert candidate("0", "0") == "0"
    assert candidate("0", "1") == "1"
    assert candidate("1", "0") == "1"
    assert candidate("1", "1") == "10"
    assert candidate("111", "111") == "1110"
    assert candidate("1", "111111") == "1000000"
    for x in range(0, 70, 3):
        for y in range(0, 70, 7):
            assert candidate(bin(x)[2:], bin(y)[2:]) == bin(x + y)[2:]
    a = "1" * 10000
    assert candidate(a, "1") == "1" + "0" * 10000
    b = "10" * 5000
    assert candidate(b, b) == bin(2 * int(b, 2))[2:]
'''
