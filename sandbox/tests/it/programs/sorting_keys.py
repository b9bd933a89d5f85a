from functools import cmp_to_key, reduce
from operator import itemgetter, mul


def largest_number(nums):
    strs = sorted(map(str, nums), key=cmp_to_key(lambda a, b: (b + a > a + b) - (b + a < a + b)))
    return "0" if strs[0] == "0" else "".join(strs)


people = [("ann", 31, "nyc"), ("bob", 25, "sf"), ("cy", 31, "la"), ("di", 25, "nyc")]
print(largest_number([3, 30, 34, 5, 9]))
print(sorted(people, key=itemgetter(1, 0)))
print(sorted(people, key=lambda p: (-p[1], p[2])))
print(reduce(mul, range(1, 15)))
print(sorted({"b": 2, "a": 3, "c": 1}.items(), key=lambda kv: kv[1], reverse=True))
