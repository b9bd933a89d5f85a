# attack: A result whose __del__ raises SystemExit when the harness drops it.
# task: HumanEval/23
# expect: error
    class Bomb:
        def __del__(self):
            raise SystemExit(0)
    return Bomb()
