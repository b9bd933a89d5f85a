#!/usr/bin/env python3
"""Build and verify the project's LeetCode-style dataset.

Usage (from anywhere; paths are resolved relative to this file):

    python3 evals/data/leetcode/build.py            # assemble leetcode.jsonl and verify every problem
    python3 evals/data/leetcode/build.py --no-verify  # assemble only
    python3 evals/data/leetcode/build.py --check    # verify only; fail if leetcode.jsonl is stale
    python3 evals/data/leetcode/build.py --only 021  # verify problems whose file name contains "021"
    python3 evals/data/leetcode/build.py -j 2       # run verification programs two at a time

Each problem lives in problems/<NNN>_<slug>.py and defines module-level string constants (read with `ast`,
never executed): DIFFICULTY, ENTRY_POINT, PROMPT, SOLUTION, TEST, and for medium/hard problems WRONG (a
brute-force or subtly wrong body, kept out of the JSONL) plus WRONG_KIND ("brute-force" | "subtly-wrong").
Optional: TIME_LIMIT_S (float).

Verification runs, natively with this Python, the exact program the harness runs
(prompt + body + "\\n" + test + "\\n" + "check(<entry_point>)") plus a sentinel print after check():
  canonical  : must exit 0 and reach the sentinel, within CANONICAL_LIMIT_S
  empty      : prompt + "    pass\\n" must fail
  wrong      : prompt + WRONG must fail, or run past WRONG_TIMEOUT_S (medium/hard only)
Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBLEMS = HERE / "problems"
OUT = HERE.parent / "leetcode.jsonl"

DIFFICULTIES = ("easy", "medium", "hard")
CANONICAL_LIMIT_S = 1.0  # hard failure natively; the target is < 0.3 s
CANONICAL_WARN_S = 0.3
RUN_TIMEOUT_S = 20.0  # CPU seconds, for canonical and empty-body runs
WRONG_TIMEOUT_S = 3.0  # CPU seconds: a wrong variant still running after this counts as rejected (timeout)
WALL_FACTOR = 10.0  # wall-clock backstop, in multiples of the CPU limit (the machine may be loaded)
SENTINEL = "__LEETCODE_CHECK_COMPLETED__"
LIMIT_WRAPPER = (
    "import os, resource, sys; n = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_CPU, (n, n + 1)); os.execv(sys.argv[2], sys.argv[2:])"
)
FILE_RE = re.compile(r"^(\d{3})_([a-z0-9]+(?:_[a-z0-9]+)*)\.py$")
REQUIRED = ("DIFFICULTY", "ENTRY_POINT", "PROMPT", "SOLUTION", "TEST")


class ProblemError(Exception):
    pass


def load_problem(path: Path) -> dict:
    m = FILE_RE.match(path.name)
    if not m:
        raise ProblemError(f"{path.name}: file name must be <NNN>_<slug>.py (lowercase, underscores)")
    num, slug = m.group(1), m.group(2)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    consts: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                consts[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError as e:
                raise ProblemError(f"{path.name}: {node.targets[0].id} is not a literal: {e}") from None
    for key in REQUIRED:
        if not isinstance(consts.get(key), str):
            raise ProblemError(f"{path.name}: missing string constant {key}")
    difficulty = consts["DIFFICULTY"]
    if difficulty not in DIFFICULTIES:
        raise ProblemError(f"{path.name}: DIFFICULTY must be one of {DIFFICULTIES}")
    prompt = consts["PROMPT"].lstrip("\n")
    solution = consts["SOLUTION"].lstrip("\n")
    test = consts["TEST"].strip("\n") + "\n"
    entry = consts["ENTRY_POINT"]
    if not prompt.endswith('"""\n'):
        raise ProblemError(f"{path.name}: PROMPT must end right after the docstring")
    if not solution.startswith("    "):
        raise ProblemError(f"{path.name}: SOLUTION must be an indented function body")
    # The prompt must define the entry point whose body is only the docstring.
    ptree = ast.parse(prompt + "    pass\n")
    fns = [n for n in ptree.body if isinstance(n, ast.FunctionDef) and n.name == entry]
    if not fns:
        raise ProblemError(f"{path.name}: PROMPT does not define {entry}()")
    if "def check(candidate)" not in test:
        raise ProblemError(f"{path.name}: TEST must define check(candidate)")
    wrong = consts.get("WRONG")
    if difficulty != "easy":
        if not isinstance(wrong, str):
            raise ProblemError(f"{path.name}: medium/hard problems need a WRONG variant")
        if consts.get("WRONG_KIND") not in ("brute-force", "subtly-wrong"):
            raise ProblemError(f"{path.name}: WRONG_KIND must be 'brute-force' or 'subtly-wrong'")
    rec = {
        "task_id": f"leetcode/{num}-{slug.replace('_', '-')}",
        "prompt": prompt,
        "entry_point": entry,
        "canonical_solution": solution,
        "test": test,
        "difficulty": difficulty,
        "language": "python",
    }
    if "TIME_LIMIT_S" in consts:
        rec["time_limit_s"] = float(consts["TIME_LIMIT_S"])
    extra = {
        "file": path.name,
        "wrong": wrong.lstrip("\n") if isinstance(wrong, str) else None,
        "wrong_kind": consts.get("WRONG_KIND"),
    }
    return {"record": rec, "extra": extra}


def program(rec: dict, body: str) -> str:
    # Exactly the harness layout, plus a sentinel proving check() returned.
    return (
        rec["prompt"] + body + "\n" + rec["test"] + "\n" + f"check({rec['entry_point']})"
        + f"\nprint({SENTINEL!r})\n"
    )


def run_program(src: str, timeout: float) -> tuple[str, float, str]:
    """Returns (status, cpu_seconds, detail); status is pass | fail | timeout.

    Both the reported time and the limit are the child's user+system CPU time (RLIMIT_CPU,
    wait4), which stay meaningful on a loaded machine; a wall-clock backstop guards against
    a child that sleeps.
    """
    cpu_limit = max(1, int(timeout + 0.999))
    with tempfile.TemporaryDirectory() as tmp:
        prog = Path(tmp) / "prog.py"
        prog.write_text(src, encoding="utf-8")
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            # The CPU limit is set by a tiny exec wrapper rather than preexec_fn, which is not
            # safe when verification runs in several threads (-j).
            cmd = [sys.executable, "-I", "-S", "-c", LIMIT_WRAPPER, str(cpu_limit),
                   sys.executable, "-I", "-S", str(prog)]
            p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=tmp)
            deadline = time.monotonic() + timeout * WALL_FACTOR
            while True:
                pid, status, usage = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    p.kill()
                    os.wait4(p.pid, 0)
                    p.returncode = -9
                    return "timeout", timeout, ""
                time.sleep(0.002)
            p.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        if p.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            return "timeout", cpu, "CPU limit"
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        ok = p.returncode == 0 and SENTINEL in stdout
        detail = "" if ok else (stderr.strip().splitlines() or [f"rc={p.returncode}"])[-1][:120]
        return ("pass" if ok else "fail"), cpu, detail


def run_sandbox(evals_bin: str, src: str) -> tuple[str, float]:
    """Runs a program with `evals exec --json`; returns (verdict, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        prog = Path(tmp) / "prog.py"
        prog.write_text(src, encoding="utf-8")
        p = subprocess.run([evals_bin, "exec", str(prog), "--timeout-ms", "60000", "--json"],
                           capture_output=True, text=True, timeout=300)
        try:
            res = json.loads(p.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return f"error rc={p.returncode}", 0.0
        ok = res.get("verdict") == "passed" and SENTINEL in res.get("stdout", "")
        return ("pass" if ok else str(res.get("verdict"))), float(res.get("duration_ms", 0)) / 1000


def verify(prob: dict, evals_bin: str | None = None, canonical_only: bool = False) -> dict:
    rec, extra = prob["record"], prob["extra"]
    res = {"task_id": rec["task_id"], "difficulty": rec["difficulty"], "problems": []}
    st, dt, detail = run_program(program(rec, rec["canonical_solution"]), RUN_TIMEOUT_S)
    res["canonical"], res["canonical_s"] = st, dt
    if st != "pass":
        res["problems"].append(f"canonical {st}: {detail}")
    elif dt > CANONICAL_LIMIT_S:
        res["problems"].append(f"canonical too slow: {dt:.2f}s > {CANONICAL_LIMIT_S}s")
    if evals_bin:
        st, dt = run_sandbox(evals_bin, program(rec, rec["canonical_solution"]))
        res["sandbox"], res["sandbox_s"] = st, dt
        if st != "pass":
            res["problems"].append(f"canonical in the sandbox: {st}")
    if canonical_only:
        res["empty"], res["wrong"], res["wrong_kind"] = "-", "-", "-"
        return res
    st, _, _ = run_program(program(rec, "    pass\n"), RUN_TIMEOUT_S)
    res["empty"] = "rejected" if st != "pass" else "PASSED"
    if st == "pass":
        res["problems"].append("empty body passes the tests")
    if extra["wrong"] is not None:
        st, dt, detail = run_program(program(rec, extra["wrong"]), WRONG_TIMEOUT_S)
        exc = detail.split(":")[0].strip() if st == "fail" else ""
        res["wrong"] = {"fail": f"rejected ({exc})", "timeout": "timed out"}.get(st, "PASSED")
        if st == "pass":
            res["problems"].append(f"{extra['wrong_kind']} variant passes the tests ({dt:.2f}s)")
        elif exc in ("SyntaxError", "IndentationError", "NameError", "TabError"):
            res["problems"].append(f"{extra['wrong_kind']} variant is broken, not wrong: {detail}")
        res["wrong_kind"] = extra["wrong_kind"]
    else:
        res["wrong"], res["wrong_kind"] = "-", "-"
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-verify", action="store_true", help="assemble the JSONL only")
    ap.add_argument("--check", action="store_true", help="do not write; fail if the JSONL is stale")
    ap.add_argument("--only", default=None, help="verify only problems whose file name contains this")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="verification programs run in parallel")
    ap.add_argument("--canonical-only", action="store_true",
                    help="run only the canonical solutions (skip the empty-body and wrong-variant runs)")
    ap.add_argument("--sandbox", metavar="EVALS_BIN", default=None,
                    help="also run each canonical in the wasm sandbox with `EVALS_BIN exec` and report its time")
    args = ap.parse_args()

    errors: list[str] = []
    probs = []
    for path in sorted(PROBLEMS.glob("*.py")):
        try:
            probs.append(load_problem(path))
        except (ProblemError, SyntaxError) as e:
            errors.append(str(e))
    ids = [p["record"]["task_id"] for p in probs]
    nums = [t.split("/")[1][:3] for t in ids]
    if len(set(nums)) != len(nums):
        errors.append("duplicate problem numbers")
    probs.sort(key=lambda p: p["record"]["task_id"])
    text = "".join(json.dumps(p["record"], ensure_ascii=False, sort_keys=False) + "\n" for p in probs)
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            errors.append(f"{OUT.name} is stale: run build.py")
    else:
        OUT.write_text(text, encoding="utf-8")
    counts = {d: sum(p["record"]["difficulty"] == d for p in probs) for d in DIFFICULTIES}
    print(f"{len(probs)} problems ({', '.join(f'{v} {k}' for k, v in counts.items())}) -> {OUT.name}")

    if not args.no_verify:
        todo = [p for p in probs if args.only is None or args.only in p["extra"]["file"]]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            results = list(ex.map(lambda p: verify(p, args.sandbox, args.canonical_only), todo))
        w = max([len(r["task_id"]) for r in results] + [7])
        print(f"{'task':<{w}}  {'diff':<6}  {'cpu_s':>7}  {'canonical':<9}  {'empty':<8}  {'wrong variant':<40}")
        for r in results:
            flag = "  <-- SLOW" if r["canonical_s"] > CANONICAL_WARN_S else ""
            if "sandbox" in r:
                flag = f"  sandbox {r['sandbox']} {r['sandbox_s']:.2f}s" + flag
            wk = f"{r['wrong_kind']}: {r['wrong']}" if r["wrong"] != "-" else "-"
            print(f"{r['task_id']:<{w}}  {r['difficulty']:<6}  {r['canonical_s']:>7.3f}  {r['canonical']:<9}  "
                  f"{r['empty']:<8}  {wk:<40}{flag}")
            for msg in r["problems"]:
                errors.append(f"{r['task_id']}: {msg}")
        total = sum(r["canonical_s"] for r in results)
        slow = sum(r["canonical_s"] > CANONICAL_WARN_S for r in results)
        bad = len({e.split(':')[0] for e in errors if e.startswith('leetcode/')})
        print(f"verified {len(results)} problems: {len(results) - bad} ok, {bad} failing; "
              f"canonical native CPU time total {total:.2f}s (max {max([r['canonical_s'] for r in results] + [0]):.3f}s, "
              f"{slow} over {CANONICAL_WARN_S}s)")
        if args.sandbox and results:
            sb = [r["sandbox_s"] for r in results]
            print(f"sandbox: canonical total {sum(sb):.2f}s, max {max(sb):.2f}s "
                  f"({max(results, key=lambda r: r['sandbox_s'])['task_id']})")
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
