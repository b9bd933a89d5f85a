# attack: The constructor writes many replies to fd 1, hoping they answer the next method calls.
# task: leetcode/136-window-counter
# expect: failed
    def __init__(self, width):
        import os
        for _ in range(200):
            os.write(1, b'{"ok": 1, "args": []}\n')
    def record(self, t):
        return 1
    def count(self, t):
        return 1
