# Stack: bracket matching.
DIFFICULTY = "easy"
ENTRY_POINT = "balanced_brackets"

PROMPT = r'''
def balanced_brackets(s: str) -> bool:
    """Decide whether the brackets in s are balanced.

    s may contain the bracket characters ()[]{} and any other characters, which are
    ignored. The brackets are balanced when every opening bracket is closed by the
    matching closing bracket of the same kind, in the correct nesting order, and no
    closing bracket appears without a matching opener. The empty string is balanced.

    Constraints: 0 <= len(s) <= 10**5.

    >>> balanced_brackets("f(a[1]) + {x}")
    True
    >>> balanced_brackets("([)]")
    False
    """
'''

SOLUTION = r'''
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in s:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack
'''

TEST = r'''
def check(candidate):
    assert candidate("f(a[1]) + {x}") is True
    assert candidate("([)]") is False
    assert candidate("") is True
    assert candidate("abc") is True
    assert candidate("(") is False
    assert candidate(")") is False
    assert candidate(")(") is False
    assert candidate("{[()()]}[]") is True
    assert candidate("{[(])}") is False
    assert candidate("((") is False
    assert candidate("())") is False
    assert candidate("]") is False
    assert candidate("x}y") is False
    assert candidate("<>") is True
    assert candidate("(" * 50000 + ")" * 50000) is True
    assert candidate("(" * 50000 + ")" * 49999 + "]") is False
    assert candidate("[{(" * 10000 + ")}]" * 10000) is True
'''
