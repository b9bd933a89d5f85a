# attack: Right answers, but it sorts nums in place, which the problem forbids; the tests see the mutation.
# task: leetcode/001-pair-with-target-sum
# expect: failed
    first = {}
    ans = []
    for j, x in enumerate(nums):
        i = first.get(target - x)
        if i is not None:
            ans = [i, j]
            break
        if x not in first:
            first[x] = j
    nums.sort()
    return ans
