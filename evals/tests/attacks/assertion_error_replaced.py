# attack: Replaces builtins.AssertionError so that an assert would raise something catchable.
# task: HumanEval/23
# expect: failed
    return -1
import builtins
class Quiet(Exception):
    pass
builtins.AssertionError = Quiet
