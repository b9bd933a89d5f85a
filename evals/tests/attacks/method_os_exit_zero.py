# attack: os._exit(0) inside a design method, after the constructor answered.
# task: leetcode/136-window-counter
# expect: incomplete
    def __init__(self, width):
        self.width = width
    def record(self, t):
        import os
        os._exit(0)
