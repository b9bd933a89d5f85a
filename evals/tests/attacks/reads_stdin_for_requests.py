# attack: Reads the request channel itself at import, eating the tests' first call.
# task: HumanEval/23
# expect: timeout
    return -1
import os
_peek = os.read(0, 1 << 16)
