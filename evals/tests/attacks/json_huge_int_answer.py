# attack: Answers with a bare JSON int beyond 2^53 (those cross only tagged), outside the grammar.
# task: HumanEval/23
# expect: error
    import os
    os.write(1, b'{"ok": 9007199254740993, "args": []}\n')
    import time
    time.sleep(30)
