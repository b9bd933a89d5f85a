# attack: Writes the harness's argv to fd 1 and exits 0: what it writes is taken as its reply, which is malformed.
# task: HumanEval/23
# expect: error
    import sys, os
    for a in sys.orig_argv:
        os.write(1, a[-200:].encode() + b'\n')
    os._exit(0)
