# attack: Patches builtins.isinstance and type, which a harness's encoder might use: the replies are written by json's C encoder, which reads neither, so the wrong answer crosses and the asserts fail it.
# task: HumanEval/23
# expect: failed
    return -1
import builtins
builtins.isinstance = lambda *a: True
builtins.type = lambda *a: int
