# Stack / two passes: delete the fewest parentheses to balance a string.
DIFFICULTY = "medium"
ENTRY_POINT = "fewest_bracket_removals"

PROMPT = r'''
def fewest_bracket_removals(s: str) -> str:
    """s contains lowercase letters and the characters '(' and ')'. Delete the
    minimum number of parentheses (never letters) so that the remaining string is
    balanced: every ')' closes an earlier unmatched '(' and no '(' stays unmatched.
    Return any string obtainable this way (when several exist, any of them is
    accepted).

    Constraints: 0 <= len(s) <= 10**5.

    >>> fewest_bracket_removals("a)b(c)d")
    'ab(c)d'
    >>> fewest_bracket_removals("))((")
    ''
    """
'''

SOLUTION = r'''
    drop = set()
    stack = []
    for i, ch in enumerate(s):
        if ch == "(":
            stack.append(i)
        elif ch == ")":
            if stack:
                stack.pop()
            else:
                drop.add(i)
    drop.update(stack)
    return "".join(ch for i, ch in enumerate(s) if i not in drop)
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # drops unmatched ')' but forgets unmatched '('
    out = []
    depth = 0
    for ch in s:
        if ch == ")":
            if depth == 0:
                continue
            depth -= 1
        elif ch == "(":
            depth += 1
        out.append(ch)
    return "".join(out)
'''

TEST = r'''
def check(candidate):
    def balanced(t):
        d = 0
        for ch in t:
            if ch == "(":
                d += 1
            elif ch == ")":
                d -= 1
                if d < 0:
                    return False
        return d == 0

    def is_subsequence(t, s):
        it = iter(s)
        return all(ch in it for ch in t)

    def min_removals(s):
        d = drop = 0
        for ch in s:
            if ch == "(":
                d += 1
            elif ch == ")":
                if d:
                    d -= 1
                else:
                    drop += 1
        return drop + d

    def ok(s, t):
        return (isinstance(t, str) and balanced(t) and is_subsequence(t, s)
                and len(s) - len(t) == min_removals(s)
                and [c for c in t if c not in "()"] == [c for c in s if c not in "()"])

    for s in ("a)b(c)d", "))((", "", "abc", "()", ")(", "(a(b)c", "lee(t(c)o)de)", "((()", "a(b))c)", "(((((", "()())()"):
        assert ok(s, candidate(s)), s
    assert candidate("a)b(c)d") == "ab(c)d"
    assert candidate("((()") == "()"
    assert candidate("x(y") == "xy"

    import random
    rng = random.Random(131)
    for _ in range(300):
        s = "".join(rng.choice("()ab") for _ in range(rng.randint(0, 12)))
        assert ok(s, candidate(s)), s

    n = 100000
    s = ")" * n + "x" + "(" * n
    assert candidate(s) == "x"
    s = "(" * n + ")" * (n - 1)
    t = candidate(s)
    assert ok(s, t) and len(t) == 2 * n - 2
    s = "".join(rng.choice("(()a)") for _ in range(n))
    assert ok(s, candidate(s))
'''
