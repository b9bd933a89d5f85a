# attack: Solution() itself exits (os._exit in __init__) before any method runs.
# task: leetcode/135-longest-steady-stretch
# expect: incomplete
        return 0
    def __init__(self):
        import os
        os._exit(0)
