from collections import Counter, defaultdict, deque, OrderedDict


def group_anagrams(words):
    groups = defaultdict(list)
    for w in words:
        groups[tuple(sorted(w))].append(w)
    return sorted(sorted(g) for g in groups.values())


print(group_anagrams(["eat", "tea", "tan", "ate", "nat", "bat"]))
print(Counter("mississippi").most_common(3))
d = deque(range(5))
d.rotate(2)
print(list(d))
od = OrderedDict.fromkeys("abcde")
od.move_to_end("b")
print("".join(od))
