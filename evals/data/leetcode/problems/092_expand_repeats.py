# Stack: expand nested repetition syntax.
DIFFICULTY = "medium"
ENTRY_POINT = "expand_repeats"

PROMPT = r'''
def expand_repeats(code: str) -> str:
    """Expand an encoded string. The encoding is: a lowercase letter stands for itself;
    k[body], where k is a positive decimal integer (no leading zeros) and body is
    itself an encoded string, stands for body's expansion repeated k times. Pieces are
    concatenated. code is always well formed.

    Constraints: 0 <= len(code) <= 10**4, nesting depth <= 200, and the expanded
    string has at most 10**6 characters.

    >>> expand_repeats("3[a]2[bc]")
    'aaabcbc'
    >>> expand_repeats("x2[y3[z]]")
    'xyzzzyzzz'
    """
'''

SOLUTION = r'''
    stack = []  # (text built before the bracket, repeat count)
    cur = []
    num = 0
    for ch in code:
        if ch.isdigit():
            num = num * 10 + int(ch)
        elif ch == "[":
            stack.append((cur, num))
            cur, num = [], 0
        elif ch == "]":
            prev, k = stack.pop()
            prev.append("".join(cur) * k)
            cur = prev
        else:
            cur.append(ch)
    return "".join(cur)
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    stack = []
    cur = []
    num = 0
    for ch in code:
        if ch.isdigit():
            num = int(ch)
        elif ch == "[":
            stack.append((cur, num))
            cur, num = [], 0
        elif ch == "]":
            prev, k = stack.pop()
            prev.append("".join(cur) * k)
            cur = prev
        else:
            cur.append(ch)
    return "".join(cur)
'''

TEST = r'''
def check(candidate):
    assert candidate("3[a]2[bc]") == "aaabcbc"
    assert candidate("x2[y3[z]]") == "xyzzzyzzz"
    assert candidate("") == ""
    assert candidate("abc") == "abc"
    assert candidate("1[a]") == "a"
    assert candidate("10[a]") == "a" * 10
    assert candidate("2[abc]3[cd]ef") == "abcabccdcdcdef"
    assert candidate("3[a2[c]]") == "accaccacc"
    assert candidate("2[]b") == "b"
    assert candidate("12[ab]") == "ab" * 12
    assert candidate("a1[b1[c1[d]]]e") == "abcde"
    deep = "1[" * 200 + "q" + "]" * 200
    assert candidate(deep) == "q"
    big = "1000[" + "10[" * 3 + "x" + "]" * 3 + "]"
    assert candidate(big) == "x" * 10**6
    assert candidate("250[ab4[c]]") == ("abcccc") * 250
'''
