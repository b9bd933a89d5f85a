# The sandbox's runner: executes the program as __main__ and turns how it ended into an exit status.
#
# Invoked as `python -I -c <this> <scratch dir or ""> <program source> <args...>`. The source travels in
# argv (never a file the program could see or rewrite) and is removed from sys.argv before the program
# runs. An uncaught AssertionError exits with 113 and any other uncaught exception with 114 (the host
# maps both back to CPython's usual 1); SystemExit is left alone, so sys.exit/os._exit keep their
# meaning. A program that itself exits with 113 or 114 can only relabel its own failure (failed vs
# error); it cannot turn a failure into a pass, which needs exit status 0 anyway. Everything the
# failure path uses is bound before the program runs, so replacing os._exit or the exception classes
# cannot divert it. (A program can always exit 0 early, or through sys.setprofile hooks; telling such
# a run from a real pass is the caller's end-of-run marker's job, not the exit status's.)
def _qwen_lsp_run():
    import os
    import sys

    exit_now, flush_streams = os._exit, (sys.stdout, sys.stderr)
    base_exception, assertion_error, system_exit = BaseException, AssertionError, SystemExit
    is_instance = isinstance

    scratch, source = sys.argv[1], sys.argv[2]
    sys.argv[:] = ["main.py", *sys.argv[3:]]
    if scratch:
        os.chdir(scratch)
    namespace = sys.modules["__main__"].__dict__
    keep = {"__name__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__"}
    for name in [name for name in namespace if name not in keep]:
        del namespace[name]
    namespace["__file__"] = "main.py"
    try:
        exec(compile(source, "main.py", "exec"), namespace)
    except system_exit:
        raise
    except base_exception as error:
        status = 113 if is_instance(error, assertion_error) else 114
        try:
            import linecache
            import traceback

            # Tracebacks show the program's lines as they would natively, but only the innermost
            # 100 entries: a RecursionError through alternating frames would otherwise print
            # megabytes and end as an output-limit verdict instead of an error.
            linecache.cache["main.py"] = (len(source), None, source.splitlines(True), "main.py")
            tb = error.__traceback__
            traceback.print_exception(type(error), error, tb.tb_next if tb else None, limit=-100)
        finally:
            for stream in flush_streams:
                try:
                    stream.flush()
                except base_exception:
                    pass
            exit_now(status)


_qwen_lsp_run()
