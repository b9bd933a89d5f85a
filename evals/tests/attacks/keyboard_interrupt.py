# attack: Raises KeyboardInterrupt, a BaseException the tests must not see as one of their own.
# task: HumanEval/23
# expect: error
    raise KeyboardInterrupt
