# Stack: evaluate a postfix (reverse Polish) expression.
DIFFICULTY = "medium"
ENTRY_POINT = "postfix_value"

PROMPT = r'''
def postfix_value(tokens: list[str]) -> int:
    """Evaluate an arithmetic expression written in postfix notation. Each token is
    either a decimal integer (optionally with a leading '-', e.g. "-7") or one of the
    operators "+", "-", "*", "/", which pops the right operand b, then the left
    operand a, and pushes a op b. Division truncates toward zero (so -7 / 2 == -3 and
    7 / -2 == -3). The expression is valid, never divides by zero, and leaves exactly
    one value, which is returned.

    Constraints: 1 <= len(tokens) <= 10**5; every intermediate value has absolute
    value at most 10**18.

    >>> postfix_value(["2", "1", "+", "3", "*"])
    9
    >>> postfix_value(["4", "13", "5", "/", "+"])
    6
    """
'''

SOLUTION = r'''
    stack = []
    for tok in tokens:
        if tok in ("+", "-", "*", "/"):
            b = stack.pop()
            a = stack.pop()
            if tok == "+":
                stack.append(a + b)
            elif tok == "-":
                stack.append(a - b)
            elif tok == "*":
                stack.append(a * b)
            else:
                q = abs(a) // abs(b)
                stack.append(q if (a >= 0) == (b >= 0) else -q)
        else:
            stack.append(int(tok))
    return stack[-1]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    stack = []
    for tok in tokens:
        if tok in ("+", "-", "*", "/"):
            b = stack.pop()
            a = stack.pop()
            stack.append({"+": a + b, "-": a - b, "*": a * b, "/": a // b}[tok])
        else:
            stack.append(int(tok))
    return stack[-1]
'''

TEST = r'''
def check(candidate):
    assert candidate(["2", "1", "+", "3", "*"]) == 9
    assert candidate(["4", "13", "5", "/", "+"]) == 6
    assert candidate(["10", "6", "9", "3", "+", "-11", "*", "/", "*", "17", "+", "5", "+"]) == 22
    assert candidate(["42"]) == 42
    assert candidate(["-42"]) == -42
    assert candidate(["-7", "2", "/"]) == -3
    assert candidate(["7", "-2", "/"]) == -3
    assert candidate(["-7", "-2", "/"]) == 3
    assert candidate(["1", "3", "/"]) == 0
    assert candidate(["-1", "3", "/"]) == 0
    assert candidate(["3", "5", "-"]) == -2
    assert candidate(["1000000000", "1000000000", "*"]) == 10**18
    assert candidate(["0", "5", "/"]) == 0
    n = 50000
    toks = ["1"] + ["1", "+"] * (n - 1)
    assert candidate(toks) == n
    toks = [str(i % 7 + 1) for i in range(n)] + ["+"] * (n - 1)
    assert candidate(toks) == sum(i % 7 + 1 for i in range(n))
    toks = ["1000003"]
    v = 1000003
    for i in range(20000):
        c = (i % 6) - 3 or 3
        d = -c - (i % 2) if i % 3 else c + 1
        toks += [str(c), "*", str(d), "/", "7", "-"]
        p = v * c
        q = abs(p) // abs(d)
        v = (q if (p >= 0) == (d >= 0) else -q) - 7
    assert candidate(toks) == v
'''
