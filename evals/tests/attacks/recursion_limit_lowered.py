# attack: Lowers the recursion limit so that the harness's own calls fail: the limit binds only the code's interpreter, where the serving loop (started from the runner's precompiled code object, one frame deeper than from source) runs out of frames before it answers, so the call ends the code's interpreter with an error (one frame higher, the wrong answer crosses and the asserts fail it); either way the tests' interpreter never passes.
# task: HumanEval/23
# expect: error
    return -1
import sys
sys.setrecursionlimit(5)
