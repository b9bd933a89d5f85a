# attack: Answers True/False where an int is expected (True == 1 only).
# task: HumanEval/23
# expect: failed
    return bool(string)
