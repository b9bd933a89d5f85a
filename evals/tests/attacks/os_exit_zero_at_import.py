# attack: os._exit(0) as the module loads, before any call.
# task: HumanEval/23
# expect: incomplete
    return -1
import os
os._exit(0)
