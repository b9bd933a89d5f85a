# attack: sys.exit(0) inside the call.
# task: HumanEval/23
# expect: incomplete
    import sys
    sys.exit(0)
