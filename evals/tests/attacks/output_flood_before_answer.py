# attack: Floods stdout right before answering.
# task: HumanEval/23
# expect: output_limit
    print('x' * (4 << 20))
    return len(string)
