# Parsing: evaluate an infix expression with precedence and parentheses.
DIFFICULTY = "hard"
ENTRY_POINT = "expression_value"

PROMPT = r'''
def expression_value(expr: str) -> int:
    """Evaluate an integer arithmetic expression and return its value. expr contains
    non-negative decimal integers, the binary operators + - * /, unary minus, the
    parentheses ( ), and spaces (to be ignored). * and / bind tighter than + and -;
    operators of equal precedence apply left to right; unary minus applies to the
    number or parenthesised expression right after it (it may be repeated, as in
    "--3"). Division truncates toward zero (-7 / 2 == -3). The expression is valid
    and never divides by zero.

    Constraints: 1 <= len(expr) <= 10**5; parentheses nest at most 200 deep and at
    most 200 unary minus signs appear in a row;
    every intermediate value has absolute value at most 10**18.

    >>> expression_value("1 + 2 * 3")
    7
    >>> expression_value("-(4 - 10) / 4 * 2")
    2
    """
'''

SOLUTION = r'''
    def apply(op, b, a):
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q

    prec = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3}
    values = []
    ops = []
    expect_operand = True
    i, n = 0, len(expr)

    def reduce_top():
        op = ops.pop()
        if op == "neg":
            values.append(-values.pop())
        else:
            values.append(apply(op, values.pop(), values.pop()))

    while i < n:
        ch = expr[i]
        if ch == " ":
            i += 1
            continue
        if ch.isdigit():
            j = i
            while j < n and expr[j].isdigit():
                j += 1
            values.append(int(expr[i:j]))
            i = j
            expect_operand = False
            continue
        if ch == "(":
            ops.append("(")
            expect_operand = True
        elif ch == ")":
            while ops[-1] != "(":
                reduce_top()
            ops.pop()
            expect_operand = False
        elif ch == "-" and expect_operand:
            ops.append("neg")
        else:
            while ops and ops[-1] != "(" and ops[-1] != "neg" and prec[ops[-1]] >= prec[ch]:
                reduce_top()
            while ops and ops[-1] == "neg":
                reduce_top()
            while ops and ops[-1] != "(" and prec[ops[-1]] >= prec[ch]:
                reduce_top()
            ops.append(ch)
            expect_operand = True
        i += 1
    while ops:
        reduce_top()
    return values[-1]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # eval with floor division: wrong for negative quotients (and too deep for eval)
    return int(eval(expr.replace("/", "//")))
'''

TEST = r'''
def check(candidate):
    assert candidate("1 + 2 * 3") == 7
    assert candidate("-(4 - 10) / 4 * 2") == 2
    assert candidate("42") == 42
    assert candidate("  7 ") == 7
    assert candidate("-3") == -3
    assert candidate("--3") == 3
    assert candidate("2 - -3") == 5
    assert candidate("2*-3") == -6
    assert candidate("10 - 2 - 3") == 5
    assert candidate("100 / 10 / 5") == 2
    assert candidate("7 / -2") == -3
    assert candidate("-7 / 2") == -3
    assert candidate("(-7) / 2") == -3
    assert candidate("-(7 / 2)") == -3
    assert candidate("(1+(4+5+2)-3)+(6+8)") == 23
    assert candidate("2 * (3 + 4) * 5") == 70
    assert candidate("14 - 3 / 2") == 13
    assert candidate("1000000000 * 1000000000") == 10**18
    assert candidate("-2 * -2 * -2") == -8
    assert candidate("3 - 4 * 2 / 3") == 1
    assert candidate("0 - 2147483648 / 7") == -306783378

    import random
    rng = random.Random(107)

    def gen(depth):
        r = rng.random()
        if depth == 0 or r < 0.3:
            return str(rng.randint(0, 20))
        if r < 0.4:
            return "-" + gen(depth - 1)
        if r < 0.55:
            return "(" + gen(depth - 1) + ")"
        return gen(depth - 1) + " " + rng.choice("+-*/") + " " + gen(depth - 1)

    def ref(s):
        # Python evaluation with an exact truncating division
        class T(int):
            pass
        import ast
        tree = ast.parse(s, mode="eval")
        def ev(node):
            if isinstance(node, ast.Expression):
                return ev(node.body)
            if isinstance(node, ast.Constant):
                return node.value
            if isinstance(node, ast.UnaryOp):
                return -ev(node.operand)
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if b == 0:
                raise ZeroDivisionError
            q = abs(a) // abs(b)
            return q if (a >= 0) == (b >= 0) else -q
        return ev(tree)

    done = 0
    while done < 300:
        s = gen(5)
        try:
            exp = ref(s)
        except ZeroDivisionError:
            continue
        if abs(exp) > 10**18:
            continue
        assert candidate(s) == exp, s
        done += 1

    deep = "(" * 200 + "1" + ")" * 200
    assert candidate(deep) == 1
    negs = "-" * 199 + "5"
    assert candidate(negs) == -5
    nested = "0"
    for k in range(1, 200):
        nested = "(%s) * 2 - %d" % (nested, k) if k % 2 else "-(%s) / 3 + %d" % (nested, k)
    exp = 0
    for k in range(1, 200):
        if k % 2:
            exp = exp * 2 - k
        else:
            q = abs(exp) // 3
            exp = (-q if exp >= 0 else q) + k
    assert candidate(nested) == exp
    long_sum = " + ".join(str(i) for i in range(1, 20001))
    assert candidate(long_sum) == 20000 * 20001 // 2
    mixed = " - ".join("%d * %d / 3" % (i, i + 1) for i in range(1, 10001))
    exp = 0
    for i in range(1, 10001):
        term = i * (i + 1) // 3
        exp = term if i == 1 else exp - term
    assert candidate(mixed) == exp
'''
