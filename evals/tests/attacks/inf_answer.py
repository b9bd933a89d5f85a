# attack: Infinity, far from every expected value.
# task: HumanEval/2
# expect: failed
    return float('inf')
