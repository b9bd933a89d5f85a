class DSU:
    def __init__(self, n):
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a == b:
            return False
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        return True


dsu = DSU(1000)
merged = sum(dsu.union(i, (i * 17 + 3) % 1000) for i in range(1000))
roots = {dsu.find(i) for i in range(1000)}
print(merged, len(roots), max(dsu.size[r] for r in roots))
a, b = set(range(0, 50, 3)), set(range(0, 50, 5))
print(sorted(a & b), sorted(a ^ b)[:5], len(a | b), frozenset({1, 2}) <= {1, 2, 3})
