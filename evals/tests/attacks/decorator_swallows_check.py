# attack: A trailing decorator meant to swallow the test's `def check`: in the code's interpreter it decorates nothing.
# task: HumanEval/23
# expect: error
    return -1
@lambda f: (lambda *a, **k: None)
