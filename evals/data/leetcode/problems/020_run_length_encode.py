# Strings: run-length encoding.
DIFFICULTY = "easy"
ENTRY_POINT = "run_length_encode"

PROMPT = r'''
def run_length_encode(s: str) -> str:
    """Encode s by replacing every maximal run of a repeated character c of length n
    with the decimal n followed by c. Runs of length 1 are written as "1c" too.

    Constraints: 0 <= len(s) <= 10**5; s contains no digits.

    >>> run_length_encode("aaabccdddd")
    '3a1b2c4d'
    >>> run_length_encode("")
    ''
    """
'''

SOLUTION = r'''
    out = []
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(f"{j - i}{s[i]}")
        i = j
    return "".join(out)
'''

TEST = r'''
def check(candidate):
    assert candidate("aaabccdddd") == "3a1b2c4d"
    assert candidate("") == ""
    assert candidate("x") == "1x"
    assert candidate("xy") == "1x1y"
    assert candidate("aaaaaaaaaaaa") == "12a"
    assert candidate("abba") == "1a2b1a"
    assert candidate("  !!") == "2 2!"
    assert candidate("aAa") == "1a1A1a"
    assert candidate("z" * 100000) == "100000z"
    s = "".join("ab"[i % 2] * (i % 7 + 1) for i in range(20000))
    expect = "".join(f"{i % 7 + 1}{'ab'[i % 2]}" for i in range(20000))
    assert candidate(s) == expect
'''
