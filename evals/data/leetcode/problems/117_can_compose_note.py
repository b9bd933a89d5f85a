# Hashing: letter budget.
DIFFICULTY = "easy"
ENTRY_POINT = "can_compose_note"

PROMPT = r'''
def can_compose_note(note: str, clippings: str) -> bool:
    """You want to write note by cutting letters out of clippings; each character of
    clippings can be used at most once. Return True if every character of note can be
    covered this way (characters are case-sensitive; spaces count as characters too).

    Constraints: 0 <= len(note), len(clippings) <= 10**5.

    >>> can_compose_note("aa", "aab")
    True
    >>> can_compose_note("aa", "ab")
    False
    """
'''

SOLUTION = r'''
    budget = {}
    for ch in clippings:
        budget[ch] = budget.get(ch, 0) + 1
    for ch in note:
        left = budget.get(ch, 0)
        if left == 0:
            return False
        budget[ch] = left - 1
    return True
'''

TEST = r'''
def check(candidate):
    assert candidate("aa", "aab") is True
    assert candidate("aa", "ab") is False
    assert candidate("", "") is True
    assert candidate("", "xyz") is True
    assert candidate("a", "") is False
    assert candidate("A", "a") is False
    assert candidate("a b", "ba ") is True
    assert candidate("a  b", "ba ") is False
    assert candidate("abc", "cba") is True
    n = 100000
    pool = "".join(chr(97 + i % 26) for i in range(n))
    assert candidate(pool[::-1], pool) is True
    assert candidate(pool + "a", pool) is False
    assert candidate("z" * (n // 26 + 1), pool) is False
'''
