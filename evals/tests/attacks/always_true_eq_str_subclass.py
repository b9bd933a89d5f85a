# attack: A list of str subclasses with a lying __eq__ crosses as plain strs.
# task: HumanEval/29
# expect: failed
    class S(str):
        def __eq__(self, other):
            return True
        __hash__ = str.__hash__
    return [S('nope')]
