# Strings: longest common prefix.
DIFFICULTY = "easy"
ENTRY_POINT = "shared_prefix"

PROMPT = r'''
def shared_prefix(words: list[str]) -> str:
    """Return the longest string that is a prefix of every string in words.
    Return "" if words is empty or the strings share no common prefix.

    Constraints: 0 <= len(words) <= 10**4, 0 <= len(words[i]) <= 1000.

    >>> shared_prefix(["interval", "internet", "interior"])
    'inter'
    >>> shared_prefix(["cat", "dog"])
    ''
    """
'''

SOLUTION = r'''
    if not words:
        return ""
    lo, hi = min(words), max(words)
    k = 0
    while k < len(lo) and k < len(hi) and lo[k] == hi[k]:
        k += 1
    return lo[:k]
'''

TEST = r'''
def check(candidate):
    assert candidate(["interval", "internet", "interior"]) == "inter"
    assert candidate(["cat", "dog"]) == ""
    assert candidate([]) == ""
    assert candidate(["alone"]) == "alone"
    assert candidate([""]) == ""
    assert candidate(["abc", ""]) == ""
    assert candidate(["ab", "abc", "abcd"]) == "ab"
    assert candidate(["same", "same", "same"]) == "same"
    assert candidate(["a", "b", "a"]) == ""
    assert candidate(["prefix", "pre", "prefixed"]) == "pre"
    base = "q" * 999
    assert candidate([base + chr(97 + i % 26) for i in range(10000)]) == base
    assert candidate([base + "z"] * 9999 + ["q" * 500]) == "q" * 500
'''
