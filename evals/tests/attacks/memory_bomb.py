# attack: Allocates past the memory cap: the allocation fails, and the MemoryError crosses as an exception.
# task: HumanEval/23
# expect: error
    x = bytearray(1 << 30)
    return len(string)
