# attack: sys.exit(0) inside a method: the call is never answered.
# task: leetcode/135-longest-steady-stretch
# expect: incomplete
        import sys
        sys.exit(0)
