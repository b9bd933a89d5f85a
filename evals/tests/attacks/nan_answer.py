# attack: NaN, which compares unequal to everything.
# task: HumanEval/2
# expect: failed
    return float('nan')
