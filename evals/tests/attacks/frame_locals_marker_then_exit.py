# attack: Walks the caller's frames for the program source, prints it, exits 0.
# task: HumanEval/23
# expect: incomplete
    import sys, os
    f = sys._getframe()
    while f:
        print(list(f.f_locals)[:5])
        f = f.f_back
    os._exit(0)
