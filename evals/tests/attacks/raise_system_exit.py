# attack: raise SystemExit in the body.
# task: HumanEval/23
# expect: incomplete
    raise SystemExit
