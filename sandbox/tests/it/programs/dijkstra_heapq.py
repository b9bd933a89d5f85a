import heapq
from collections import defaultdict


def network_delay(times, n, k):
    graph = defaultdict(list)
    for u, v, w in times:
        graph[u].append((v, w))
    dist = {}
    heap = [(0, k)]
    while heap:
        d, node = heapq.heappop(heap)
        if node in dist:
            continue
        dist[node] = d
        for nxt, w in graph[node]:
            if nxt not in dist:
                heapq.heappush(heap, (d + w, nxt))
    return max(dist.values()) if len(dist) == n else -1


print(network_delay([[2, 1, 1], [2, 3, 1], [3, 4, 1]], 4, 2))
edges = [[i, (i * 7) % 500 + 1, (i * 13) % 17 + 1] for i in range(1, 501)]
edges += [[i, i + 1, 5] for i in range(1, 500)]
print(network_delay(edges, 500, 1))
print(heapq.nsmallest(5, [(x * 31) % 101 for x in range(200)]))
