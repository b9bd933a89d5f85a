# attack: Raises its own exception class named SystemExit, hoping to be re-raised as the real one.
# task: HumanEval/23
# expect: error
    class SystemExit(Exception):
        pass
    raise SystemExit(0)
