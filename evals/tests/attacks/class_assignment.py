# attack: __class__ assignment swaps a list subclass for one with a lying __eq__ after it is built.
# task: HumanEval/29
# expect: failed
    class A(list):
        pass
    class B(list):
        def __eq__(self, other):
            return True
    r = A(['nope'])
    r.__class__ = B
    return r
