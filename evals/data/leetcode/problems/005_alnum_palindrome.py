# Two pointers on strings.
DIFFICULTY = "easy"
ENTRY_POINT = "alnum_palindrome"

PROMPT = r'''
def alnum_palindrome(s: str) -> bool:
    """Return True if s reads the same forwards and backwards after removing every
    character that is not an ASCII letter or ASCII digit and lowercasing the letters.
    A string with no such characters counts as a palindrome.

    Constraints: 0 <= len(s) <= 2 * 10**5; s is printable ASCII.

    >>> alnum_palindrome("No 'x' in Nixon")
    True
    >>> alnum_palindrome("ab2a")
    False
    """
'''

SOLUTION = r'''
    kept = [c.lower() for c in s if c.isascii() and c.isalnum()]
    return kept == kept[::-1]
'''

TEST = r'''
def check(candidate):
    assert candidate("No 'x' in Nixon") is True
    assert candidate("ab2a") is False
    assert candidate("") is True
    assert candidate(" ,.!") is True
    assert candidate("a") is True
    assert candidate("0P") is False
    assert candidate("Aa") is True
    assert candidate("12321") is True
    assert candidate("1a2") is False
    assert candidate("Was it a car or a cat I saw?") is True
    assert candidate("race a car") is False
    half = "".join(chr(97 + (i * 7) % 26) for i in range(100000))
    assert candidate(half + "!" + half[::-1].upper()) is True
    assert candidate(half + "x" + half[::-1] + "y") is False
'''
