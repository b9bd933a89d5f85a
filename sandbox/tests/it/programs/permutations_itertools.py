import itertools

print(list(itertools.permutations([1, 2, 3])))
print(len(list(itertools.combinations(range(20), 4))))
print(list(itertools.accumulate([1, 2, 3, 4, 5], lambda a, b: a * b)))
print([k + str(len(list(g))) for k, g in itertools.groupby("aaabccdddd")])
print(list(itertools.islice(itertools.cycle("ab"), 5)))
print(sum(1 for p in itertools.product(range(4), repeat=4) if sum(p) == 6))
