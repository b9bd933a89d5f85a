# attack: Writes a message in the tests' own protocol (a passed case) as its answer.
# task: HumanEval/23
# expect: error
    import os
    os.write(1, b'{"case": {"name": "check", "passed": true}}\n')
    import time
    time.sleep(30)
