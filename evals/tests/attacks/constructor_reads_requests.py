# attack: The constructor reads the request channel, hoping to see what the tests will ask.
# task: leetcode/136-window-counter
# expect: timeout
    def __init__(self, width):
        import os
        self.peek = os.read(0, 1 << 16)
