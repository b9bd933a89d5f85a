# attack: Raises an exception whose __str__ raises BaseException.
# task: HumanEval/23
# expect: error
    class E(Exception):
        def __str__(self):
            raise SystemExit(0)
    raise E()
