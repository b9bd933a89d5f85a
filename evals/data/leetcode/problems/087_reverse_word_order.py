# Strings: reverse the order of words.
DIFFICULTY = "easy"
ENTRY_POINT = "reverse_word_order"

PROMPT = r'''
def reverse_word_order(text: str) -> str:
    """A word is a maximal run of non-space characters. Return the words of text in
    reverse order, joined by single spaces, with no leading or trailing spaces (text
    may contain leading, trailing and repeated spaces; only ' ' counts as a space).

    Constraints: 0 <= len(text) <= 10**5.

    >>> reverse_word_order("  the sky   is blue ")
    'blue is sky the'
    """
'''

SOLUTION = r'''
    return " ".join(w for w in reversed(text.split(" ")) if w)
'''

TEST = r'''
def check(candidate):
    assert candidate("  the sky   is blue ") == "blue is sky the"
    assert candidate("") == ""
    assert candidate("   ") == ""
    assert candidate("one") == "one"
    assert candidate(" a  b ") == "b a"
    assert candidate("hello, world!") == "world! hello,"
    assert candidate("x\ty z") == "z x\ty"
    words = [f"w{i}" for i in range(20000)]
    assert candidate("  ".join(words)) == " ".join(reversed(words))
'''
