# attack: The trailing decorator of issue 15 on a method-form problem: in the code's interpreter it decorates nothing.
# task: leetcode/135-longest-steady-stretch
# expect: error
        return 0
@lambda f: (lambda *a, **k: None)
