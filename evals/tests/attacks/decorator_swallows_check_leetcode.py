# attack: The same decorator on a built-in leetcode problem.
# task: leetcode/001-pair-with-target-sum
# expect: error
    return []
@lambda f: (lambda *a, **k: None)
