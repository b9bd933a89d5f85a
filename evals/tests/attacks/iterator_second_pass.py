# attack: A generator: empty on a second pass; not plain data.
# task: HumanEval/29
# expect: error
    return (s for s in strings if s.startswith(prefix))
