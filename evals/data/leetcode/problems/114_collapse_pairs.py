# Stack: repeatedly remove adjacent equal pairs.
DIFFICULTY = "easy"
ENTRY_POINT = "collapse_pairs"

PROMPT = r'''
def collapse_pairs(s: str) -> str:
    """Repeatedly delete two adjacent equal characters from s until no two adjacent
    characters are equal, and return the final string (it does not depend on the
    order of deletions).

    Constraints: 0 <= len(s) <= 10**5, lowercase letters.

    >>> collapse_pairs("abbaca")
    'ca'
    >>> collapse_pairs("aaa")
    'a'
    """
'''

SOLUTION = r'''
    stack = []
    for ch in s:
        if stack and stack[-1] == ch:
            stack.pop()
        else:
            stack.append(ch)
    return "".join(stack)
'''

TEST = r'''
def check(candidate):
    assert candidate("abbaca") == "ca"
    assert candidate("aaa") == "a"
    assert candidate("") == ""
    assert candidate("a") == "a"
    assert candidate("aa") == ""
    assert candidate("abc") == "abc"
    assert candidate("abccba") == ""
    assert candidate("azxxzy") == "ay"
    n = 50000
    half = "".join(chr(97 + (i * 7) % 26) for i in range(n))
    assert candidate(half + half[::-1]) == ""
    mirrored = half + "q" + half[::-1]
    assert candidate(mirrored) == mirrored
    assert candidate("ab" * n) == "ab" * n
'''
