# Backtracking: generate all balanced parenthesis strings.
DIFFICULTY = "medium"
ENTRY_POINT = "balanced_strings"

PROMPT = r'''
def balanced_strings(n: int) -> list[str]:
    """Return every string made of n '(' and n ')' characters in which the
    parentheses are properly balanced (every prefix has at least as many '(' as ')').
    The list must be sorted in increasing lexicographic order ('(' sorts before ')'),
    with no duplicates. For n == 0 the answer is [""].

    Constraints: 0 <= n <= 12.

    >>> balanced_strings(2)
    ['(())', '()()']
    """
'''

SOLUTION = r'''
    out = []
    stack = [("", 0, 0)]
    while stack:
        s, opened, closed = stack.pop()
        if len(s) == 2 * n:
            out.append(s)
            continue
        # push ')' first so that '(' is expanded first (lexicographic order)
        if closed < opened:
            stack.append((s + ")", opened, closed + 1))
        if opened < n:
            stack.append((s + "(", opened + 1, closed))
    return out
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    import itertools
    out = []
    for chars in itertools.product("()", repeat=2 * n):
        depth = 0
        for ch in chars:
            depth += 1 if ch == "(" else -1
            if depth < 0:
                break
        if depth == 0:
            out.append("".join(chars))
    return out
'''

TEST = r'''
def check(candidate):
    assert candidate(0) == [""]
    assert candidate(1) == ["()"]
    assert candidate(2) == ["(())", "()()"]
    assert candidate(3) == ["((()))", "(()())", "(())()", "()(())", "()()()"]
    catalan = [1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862, 16796, 58786, 208012]
    for n in range(4, 8):
        got = candidate(n)
        assert len(got) == catalan[n]
        assert got == sorted(set(got))
    got = candidate(12)
    assert len(candidate(11)) == 58786
    assert len(got) == 208012
    assert got[0] == "(" * 12 + ")" * 12 and got[-1] == "()" * 12
    assert all(got[i] < got[i + 1] for i in range(len(got) - 1))
    for s in got[::997]:
        d = 0
        for ch in s:
            d += 1 if ch == "(" else -1
            assert d >= 0
        assert d == 0 and len(s) == 24
'''
