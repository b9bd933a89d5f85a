# attack: Lowers the recursion limit so that the harness's own calls fail.
# task: HumanEval/23
# expect: error
    return -1
import sys
sys.setrecursionlimit(5)
