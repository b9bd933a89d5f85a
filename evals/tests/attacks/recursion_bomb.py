# attack: Unbounded recursion while answering.
# task: HumanEval/23
# expect: error
    def f(n):
        return f(n + 1)
    return f(0)
