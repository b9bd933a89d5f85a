# DP 1D: count decodings of a digit string.
DIFFICULTY = "medium"
ENTRY_POINT = "digit_decodings"

PROMPT = r'''
def digit_decodings(code: str) -> int:
    """A message of capital letters was encoded by writing A as "1", B as "2", ...,
    Z as "26" and concatenating. Given code (digits only), return the number of
    letter messages that encode to exactly code, modulo 1_000_000_007. A piece may not
    have a leading zero: "06" is not a letter, and "0" alone is not a letter.
    The empty string has exactly one decoding (the empty message).

    Constraints: 0 <= len(code) <= 10**5 (deeper than Python's default recursion
    limit allows for one call per digit).

    >>> digit_decodings("226")
    3
    >>> digit_decodings("106")
    1
    >>> digit_decodings("60")
    0
    """
'''

SOLUTION = r'''
    MOD = 1_000_000_007
    prev2, prev1 = 0, 1  # ways for prefixes of length i-2 and i-1
    for i, ch in enumerate(code):
        cur = prev1 if ch != "0" else 0
        if i and (code[i - 1] == "1" or (code[i - 1] == "2" and ch <= "6")):
            cur += prev2
        prev2, prev1 = prev1, cur % MOD
    return prev1
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    MOD = 1_000_000_007
    prev2, prev1 = 0, 1
    for i, ch in enumerate(code):
        cur = prev1
        if i and 10 <= int(code[i - 1:i + 1]) <= 26:
            cur += prev2
        prev2, prev1 = prev1, cur % MOD
    return prev1
'''

TEST = r'''
def check(candidate):
    M = 1_000_000_007
    assert candidate("226") == 3
    assert candidate("106") == 1
    assert candidate("60") == 0
    assert candidate("") == 1
    assert candidate("0") == 0
    assert candidate("1") == 1
    assert candidate("10") == 1
    assert candidate("27") == 1
    assert candidate("26") == 2
    assert candidate("100") == 0
    assert candidate("1001") == 0
    assert candidate("11106") == 2
    assert candidate("2101") == 1
    assert candidate("301") == 0

    import random
    rng = random.Random(43)

    def slow(s):
        if not s:
            return 1
        total = 0
        if s[0] != "0":
            total += slow(s[1:])
            if len(s) >= 2 and 10 <= int(s[:2]) <= 26:
                total += slow(s[2:])
        return total

    for _ in range(150):
        s = "".join(rng.choice("0121236789") for _ in range(rng.randint(0, 12)))
        assert candidate(s) == slow(s), s

    n = 100000
    fib = [1, 1]
    for _ in range(n):
        fib.append((fib[-1] + fib[-2]) % M)
    assert candidate("1" * n) == fib[n]
    assert candidate("1" * n + "0") == fib[n - 1]
    assert candidate("9" * n) == 1
    assert candidate("1" * (n // 2) + "00" + "1" * (n // 2)) == 0
'''
