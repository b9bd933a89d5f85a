import bisect


def length_of_lis(nums):
    tails = []
    for n in nums:
        i = bisect.bisect_left(tails, n)
        if i == len(tails):
            tails.append(n)
        else:
            tails[i] = n
    return len(tails)


print(length_of_lis([10, 9, 2, 5, 3, 7, 101, 18]))
print(length_of_lis([(i * 7919) % 10007 for i in range(5000)]))
data = sorted((i * 37) % 1000 for i in range(300))
print(bisect.bisect_right(data, 500), bisect.bisect_left(data, 500))
