# attack: Raises AssertionError itself: a failure, as natively.
# task: HumanEval/23
# expect: failed
    assert False, 'nope'
