# attack: An int subclass whose __eq__ always answers True crosses as its int value.
# task: HumanEval/23
# expect: failed
    class Yes(int):
        def __eq__(self, other):
            return True
        __hash__ = int.__hash__
    return Yes(-1)
