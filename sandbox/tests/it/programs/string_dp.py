def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def longest_palindrome(s):
    best = ""
    for center in range(2 * len(s) - 1):
        lo, hi = center // 2, (center + 1) // 2
        while lo >= 0 and hi < len(s) and s[lo] == s[hi]:
            lo, hi = lo - 1, hi + 1
        if hi - lo - 1 > len(best):
            best = s[lo + 1 : hi]
    return best


print(edit_distance("horse", "ros"), edit_distance("intention", "execution"))
print(edit_distance("ab" * 150, "ba" * 140))
print(longest_palindrome("babad"), longest_palindrome("forgeeksskeegfor"))
print("".join(sorted("the quick brown fox", key=lambda c: (c.isspace(), c))))
