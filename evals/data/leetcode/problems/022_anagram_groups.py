# Hashing: group words by their letter multiset.
DIFFICULTY = "medium"
ENTRY_POINT = "anagram_groups"

PROMPT = r'''
def anagram_groups(words: list[str]) -> list[list[str]]:
    """Partition words into groups of anagrams: two words belong to the same group
    exactly when one is a rearrangement of the other (same letters with the same
    multiplicities).

    Ordering: groups appear in the order of their first word's first occurrence in
    words; inside a group, words keep their input order. Duplicated words are kept
    (each occurrence is listed).

    Constraints: 0 <= len(words) <= 10**5, 0 <= len(words[i]) <= 20, lowercase letters.

    >>> anagram_groups(["eat", "tea", "tan", "ate", "nat", "bat"])
    [['eat', 'tea', 'ate'], ['tan', 'nat'], ['bat']]
    """
'''

SOLUTION = r'''
    groups = {}
    for w in words:
        groups.setdefault("".join(sorted(w)), []).append(w)
    return list(groups.values())
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    groups = {}
    for w in words:
        groups.setdefault("".join(sorted(set(w))), []).append(w)
    return list(groups.values())
'''

TEST = r'''
def check(candidate):
    assert candidate(["eat", "tea", "tan", "ate", "nat", "bat"]) == [["eat", "tea", "ate"], ["tan", "nat"], ["bat"]]
    assert candidate([]) == []
    assert candidate([""]) == [[""]]
    assert candidate(["", "a", ""]) == [["", ""], ["a"]]
    assert candidate(["aab", "abb", "bab", "baa"]) == [["aab", "baa"], ["abb", "bab"]]
    assert candidate(["x", "x", "y"]) == [["x", "x"], ["y"]]
    assert candidate(["ab", "ba", "abc", "cab", "b"]) == [["ab", "ba"], ["abc", "cab"], ["b"]]

    import random
    rng = random.Random(22)
    words = ["".join(rng.choice("abcde") for _ in range(rng.randint(0, 6))) for _ in range(50000)]
    got = candidate(list(words))
    index = {}
    expect = []
    for w in words:
        key = tuple(sorted(w))
        if key not in index:
            index[key] = len(expect)
            expect.append([])
        expect[index[key]].append(w)
    assert got == expect
'''
