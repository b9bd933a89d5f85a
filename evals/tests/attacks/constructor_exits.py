# attack: A class whose constructor exits with status 0: the construction is never answered.
# task: leetcode/136-window-counter
# expect: incomplete
    def __init__(self, width):
        raise SystemExit(0)
