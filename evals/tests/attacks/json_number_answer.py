# attack: Answers with a bare JSON float (ints within 2^53 cross bare, floats only tagged), outside the grammar.
# task: HumanEval/23
# expect: error
    import os
    os.write(1, b'{"ok": 0.0, "args": []}\n')
    import time
    time.sleep(30)
