# Strings: Roman numerals.
DIFFICULTY = "easy"
ENTRY_POINT = "roman_to_int"

PROMPT = r'''
def roman_to_int(s: str) -> int:
    """Convert a Roman numeral to an integer.

    Symbols: I=1, V=5, X=10, L=50, C=100, D=500, M=1000. s is a valid numeral in the
    standard subtractive form: a symbol placed before a larger one is subtracted, and
    only the pairs IV, IX, XL, XC, CD, CM are used that way.

    Constraints: s is non-empty and represents a value in 1..3999.

    >>> roman_to_int("MCMXCIV")
    1994
    >>> roman_to_int("LVIII")
    58
    """
'''

SOLUTION = r'''
    val = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(s):
        v = val[ch]
        if i + 1 < len(s) and val[s[i + 1]] > v:
            total -= v
        else:
            total += v
    return total
'''

TEST = r'''
def check(candidate):
    assert candidate("MCMXCIV") == 1994
    assert candidate("LVIII") == 58
    assert candidate("I") == 1
    assert candidate("IV") == 4
    assert candidate("IX") == 9
    assert candidate("XL") == 40
    assert candidate("XC") == 90
    assert candidate("CD") == 400
    assert candidate("CM") == 900
    assert candidate("III") == 3
    assert candidate("MMMCMXCIX") == 3999
    assert candidate("CDXLIV") == 444
    assert candidate("MMXXVI") == 2026

    def to_roman(n):
        out = ""
        for v, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while n >= v:
                out += sym
                n -= v
        return out

    for n in range(1, 4000):
        assert candidate(to_roman(n)) == n
'''
