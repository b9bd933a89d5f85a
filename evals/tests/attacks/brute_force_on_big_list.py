# attack: A linear scan instead of a binary search: the big list crosses once, so each call costs the scan itself and the time limit still catches it.
# task: leetcode/010-insert-position
# expect: timeout
    count = 0
    for x in nums:
        if x < target:
            count += 1
    return count
