# attack: Loops past the limit.
# task: HumanEval/23
# expect: timeout
    while True:
        pass
