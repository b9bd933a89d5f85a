# Stack simulation of collisions.
DIFFICULTY = "medium"
ENTRY_POINT = "colliding_carts"

PROMPT = r'''
def colliding_carts(carts: list[int]) -> list[int]:
    """Carts stand on a track in the given order. The absolute value of carts[i] is
    the cart's mass; a positive sign means it moves right, a negative sign left, all
    at the same speed. When a right-moving cart meets a left-moving one, the lighter
    is destroyed; if both have equal mass, both are destroyed. Carts moving in the
    same direction never meet. Return the surviving carts, in track order, once no
    more collisions can happen.

    Constraints: 0 <= len(carts) <= 10**5, 1 <= |carts[i]| <= 1000 (no zeros).

    >>> colliding_carts([5, 10, -5])
    [5, 10]
    >>> colliding_carts([8, -8])
    []
    >>> colliding_carts([-2, -1, 1, 2])
    [-2, -1, 1, 2]
    """
'''

SOLUTION = r'''
    stack = []
    for c in carts:
        alive = True
        while alive and c < 0 and stack and stack[-1] > 0:
            if stack[-1] < -c:
                stack.pop()
            elif stack[-1] == -c:
                stack.pop()
                alive = False
            else:
                alive = False
        if alive:
            stack.append(c)
    return stack
'''

WRONG_KIND = "brute-force"
WRONG = r'''
    carts = list(carts)
    changed = True
    while changed:
        changed = False
        for i in range(len(carts) - 1):
            a, b = carts[i], carts[i + 1]
            if a > 0 and b < 0:
                if a > -b:
                    del carts[i + 1]
                elif a < -b:
                    del carts[i]
                else:
                    del carts[i:i + 2]
                changed = True
                break
    return carts
'''

TEST = r'''
def check(candidate):
    assert candidate([5, 10, -5]) == [5, 10]
    assert candidate([8, -8]) == []
    assert candidate([-2, -1, 1, 2]) == [-2, -1, 1, 2]
    assert candidate([]) == []
    assert candidate([3]) == [3]
    assert candidate([-3]) == [-3]
    assert candidate([10, 2, -5]) == [10]
    assert candidate([1, -2, -2, -2]) == [-2, -2, -2]
    assert candidate([2, 1, -1, -2]) == []
    assert candidate([1, 2, 3, -10, 4]) == [-10, 4]

    import random
    rng = random.Random(105)

    def slow(cs):
        cs = list(cs)
        while True:
            for i in range(len(cs) - 1):
                a, b = cs[i], cs[i + 1]
                if a > 0 and b < 0:
                    if a > -b:
                        del cs[i + 1]
                    elif a < -b:
                        del cs[i]
                    else:
                        del cs[i:i + 2]
                    break
            else:
                return cs

    for _ in range(150):
        cs = [rng.choice((-1, 1)) * rng.randint(1, 4) for _ in range(rng.randint(0, 9))]
        assert candidate(list(cs)) == slow(cs), cs

    n = 100000
    assert candidate([1] * (n // 2) + [-1000]) == [-1000]
    assert candidate([1000] + [-1] * n) == [1000]
    wave = [7] * (n // 2) + [-7] * (n // 2)
    assert candidate(wave) == []
    assert candidate([2] * (n // 2) + [-1] * (n // 2)) == [2] * (n // 2)
'''
