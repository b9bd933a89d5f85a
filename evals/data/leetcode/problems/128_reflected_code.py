# Bit manipulation: reflected binary (Gray) code.
DIFFICULTY = "medium"
ENTRY_POINT = "reflected_code"

PROMPT = r'''
def reflected_code(n: int) -> list[int]:
    """Return the reflected binary code sequence of n bits: a list of all 2**n
    integers in [0, 2**n) starting with 0, where consecutive elements differ in
    exactly one bit. It is built recursively: the sequence for n bits is the sequence
    for n - 1 bits, followed by that same sequence in reverse order with bit n - 1 set
    in every element. The sequence for 0 bits is [0].

    Constraints: 0 <= n <= 18.

    >>> reflected_code(2)
    [0, 1, 3, 2]
    >>> reflected_code(3)
    [0, 1, 3, 2, 6, 7, 5, 4]
    """
'''

SOLUTION = r'''
    return [i ^ (i >> 1) for i in range(1 << n)]
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # a valid one-bit-change cycle, but not the reflected construction
    seq = [0]
    for bit in range(n):
        seq = seq + [x | (1 << bit) for x in seq[::-1]]
    return [int(format(x, "0%db" % n)[::-1], 2) if n else 0 for x in seq]
'''

TEST = r'''
def check(candidate):
    assert candidate(0) == [0]
    assert candidate(1) == [0, 1]
    assert candidate(2) == [0, 1, 3, 2]
    assert candidate(3) == [0, 1, 3, 2, 6, 7, 5, 4]

    def build(n):
        seq = [0]
        for b in range(n):
            seq = seq + [x | (1 << b) for x in reversed(seq)]
        return seq

    for n in range(4, 12):
        assert candidate(n) == build(n), n
    got = candidate(18)
    assert len(got) == 1 << 18 and got[:5] == [0, 1, 3, 2, 6]
    assert got == build(18)
    assert all(bin(a ^ b).count("1") == 1 for a, b in zip(got, got[1:]))
'''
