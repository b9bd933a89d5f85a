# attack: An enormous integer answer.
# task: HumanEval/23
# expect: failed
    return 10 ** 5000
