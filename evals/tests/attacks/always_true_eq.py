# attack: A result whose __eq__ always answers True: an object is not plain data.
# task: HumanEval/23
# expect: error
    class Yes:
        def __eq__(self, other):
            return True
    return Yes()
