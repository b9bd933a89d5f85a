# Backtracking / Cartesian product in a fixed order.
DIFFICULTY = "medium"
ENTRY_POINT = "keypad_words"

PROMPT = r'''
def keypad_words(digits: str) -> list[str]:
    """On a phone keypad, 2 -> "abc", 3 -> "def", 4 -> "ghi", 5 -> "jkl", 6 -> "mno",
    7 -> "pqrs", 8 -> "tuv", 9 -> "wxyz". Return every letter string that the digit
    string can spell (one letter per digit, in order), sorted lexicographically.
    An empty digit string spells nothing: return [].

    Constraints: 0 <= len(digits) <= 8, digits are 2-9.

    >>> keypad_words("23")
    ['ad', 'ae', 'af', 'bd', 'be', 'bf', 'cd', 'ce', 'cf']
    """
'''

SOLUTION = r'''
    if not digits:
        return []
    keys = {"2": "abc", "3": "def", "4": "ghi", "5": "jkl",
            "6": "mno", "7": "pqrs", "8": "tuv", "9": "wxyz"}
    out = [""]
    for d in digits:
        out = [prefix + ch for prefix in out for ch in keys[d]]
    return out
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    keys = {"2": "abc", "3": "def", "4": "ghi", "5": "jkl",
            "6": "mno", "7": "pqrs", "8": "tuv", "9": "wxyz"}
    out = [""]
    for d in digits:
        out = [prefix + ch for prefix in out for ch in keys[d]]
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate("23") == ["ad", "ae", "af", "bd", "be", "bf", "cd", "ce", "cf"]
    assert candidate("") == []
    assert candidate("2") == ["a", "b", "c"]
    assert candidate("7") == ["p", "q", "r", "s"]
    assert candidate("99") == [a + b for a in "wxyz" for b in "wxyz"]
    assert candidate("32") == ["da", "db", "dc", "ea", "eb", "ec", "fa", "fb", "fc"]
    got = candidate("79797979")
    assert len(got) == 4 ** 8
    assert got[0] == "pwpwpwpw" and got[-1] == "szszszsz"
    assert got == sorted(got)
    got = candidate("23456789")
    assert len(got) == 3 ** 6 * 4 * 4
    assert len(set(got)) == len(got) and got == sorted(got)
'''
