# attack: The constructor sets the recursion limit to its minimum, breaking the serving loop around it.
# task: leetcode/136-window-counter
# expect: error
    def __init__(self, width):
        import sys
        sys.setrecursionlimit(1)
