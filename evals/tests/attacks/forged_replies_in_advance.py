# attack: Writes many replies to fd 1 at import, hoping one lands as the answer of each call.
# task: HumanEval/23
# expect: failed
    return -1
import os
for n in range(50):
    os.write(1, b'{"ok": {"int": "0"}, "args": []}\n')
