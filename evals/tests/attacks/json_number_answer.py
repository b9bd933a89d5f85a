# attack: Answers with a bare JSON number, outside the plain-data grammar.
# task: HumanEval/23
# expect: error
    import os
    os.write(1, b'{"ok": 0, "args": []}\n')
    import time
    time.sleep(30)
