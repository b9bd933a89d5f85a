# Cycle detection on an iterated function.
DIFFICULTY = "easy"
ENTRY_POINT = "reaches_one"

PROMPT = r'''
def reaches_one(n: int) -> bool:
    """Repeatedly replace n by the sum of the squares of its decimal digits
    (e.g. 19 -> 1 + 81 = 82). Return True if this process eventually reaches 1, and
    False if it loops forever without reaching 1.

    Constraints: 1 <= n <= 10**18.

    >>> reaches_one(19)
    True
    >>> reaches_one(2)
    False
    """
'''

SOLUTION = r'''
    seen = set()
    while n != 1 and n not in seen:
        seen.add(n)
        n = sum(int(d) ** 2 for d in str(n))
    return n == 1
'''

TEST = r'''
def check(candidate):
    assert candidate(19) is True
    assert candidate(2) is False
    assert candidate(1) is True
    assert candidate(7) is True
    assert candidate(4) is False
    assert candidate(10) is True
    assert candidate(100) is True
    assert candidate(89) is False
    assert candidate(10**18) is True
    assert candidate(999999999999999999) is False

    def ref(n):
        # every unhappy number ends in the cycle through 4
        while n not in (1, 4):
            n = sum(int(d) ** 2 for d in str(n))
        return n == 1

    happy = [n for n in range(1, 1001) if candidate(n)]
    assert happy == [n for n in range(1, 1001) if ref(n)]
    assert len(happy) == 143
'''
