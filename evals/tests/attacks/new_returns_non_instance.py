# attack: __new__ returns a plain int, so the "instance" is not the class at all.
# task: leetcode/136-window-counter
# expect: error
    def __new__(cls, width):
        return 5
