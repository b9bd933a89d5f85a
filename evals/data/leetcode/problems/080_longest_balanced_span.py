# Stack / DP: longest well-formed parentheses substring.
DIFFICULTY = "hard"
ENTRY_POINT = "longest_balanced_span"

PROMPT = r'''
def longest_balanced_span(s: str) -> int:
    """s consists of '(' and ')' only. Return the length of the longest contiguous
    substring of s that is a well-formed parentheses string (every '(' matched by a
    later ')', properly nested), or 0 if there is none.

    Constraints: 0 <= len(s) <= 2 * 10**5. Checking every substring is too slow.

    >>> longest_balanced_span(")()())")
    4
    >>> longest_balanced_span("(()")
    2
    """
'''

SOLUTION = r'''
    best = 0
    stack = [-1]  # index before the current candidate span, then indices of '('
    for i, ch in enumerate(s):
        if ch == "(":
            stack.append(i)
        else:
            stack.pop()
            if stack:
                if i - stack[-1] > best:
                    best = i - stack[-1]
            else:
                stack.append(i)
    return best
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    best = 0
    for i in range(len(s)):
        depth = 0
        for j in range(i, len(s)):
            depth += 1 if s[j] == "(" else -1
            if depth < 0:
                break
            if depth == 0:
                best = max(best, j - i + 1)
    return best
'''

TEST = r'''
def check(candidate):
    assert candidate(")()())") == 4
    assert candidate("(()") == 2
    assert candidate("") == 0
    assert candidate("(") == 0
    assert candidate(")") == 0
    assert candidate("()") == 2
    assert candidate(")(") == 0
    assert candidate("()(()") == 2
    assert candidate("()(())") == 6
    assert candidate("(()())") == 6
    assert candidate("())(())") == 4
    assert candidate("((())") == 4

    import random
    rng = random.Random(80)

    def slow(t):
        best = 0
        for i in range(len(t)):
            d = 0
            for j in range(i, len(t)):
                d += 1 if t[j] == "(" else -1
                if d < 0:
                    break
                if d == 0:
                    best = max(best, j - i + 1)
        return best

    for _ in range(200):
        t = "".join(rng.choice("()") for _ in range(rng.randint(0, 14)))
        assert candidate(t) == slow(t), t

    n = 100000
    assert candidate("(" * n + ")" * n) == 2 * n
    assert candidate("(" * (n + 1) + ")" * n) == 2 * n
    assert candidate("(" * 2 * n) == 0
    assert candidate("()" * n) == 2 * n
    assert candidate("(()" * (n // 2)) == 2
    assert candidate("((" + "()" * 60000 + ")" + "()" * 30000) == 2 * 60000 + 2 + 2 * 30000
'''
