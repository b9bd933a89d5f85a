# The code's interpreter: runs the code under test as __main__, then answers calls, one JSON line
# in on stdin, one JSON line out on fd 1, until stdin ends.
#
# Invoked as `python -I -c <codec + this> <source as a JSON string>`. Request: {"target":
# "<expression>", "args": [...], "kwargs": [[name, value], ...]}; the target is evaluated once in
# the module's namespace (`two_sum`, `Solution().twoSum`). Reply: {"ok": value, "args": [[i,
# value], ...]} (the arguments the call mutated, so the tests see the mutation),
# {"raised": type name, "message": text}, or {"error": text} when the result is not plain data.
# Everything here runs beside the code under test, which may rewrite any of it: the host treats
# what comes out as an answer the code chose, checks it is plain data, and nothing more. The
# code's print() goes to stderr; only the replies use fd 1.
def _qwen_lsp_serve(codec):
    import io
    import os
    import sys

    NotPlain, encode, decode = codec
    import json

    # The original streams stay referenced: collecting them would close their buffers.
    stdin, stdout = sys.stdin, sys.stdout
    write, read_line, dumps, loads = os.write, stdin.buffer.readline, json.dumps, json.loads
    exit_now, base_exception, exception, system_exit = os._exit, BaseException, Exception, SystemExit
    type_of, str_of, enumerate_ = type, str, enumerate
    types_that_mutate = (list, dict, set)

    source = loads(sys.argv[1])
    sys.argv[:] = ["main.py"]
    sys.stdout = sys.__stdout__ = sys.stderr
    sys.stdin = sys.__stdin__ = io.StringIO()
    namespace = sys.modules["__main__"].__dict__
    keep = {"__name__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__"}
    for name in [name for name in namespace if name not in keep]:
        del namespace[name]
    namespace["__file__"] = "main.py"

    def reply(message):
        data = (dumps(message) + "\n").encode()
        while data:
            data = data[write(1, data):]

    def describe(error):
        try:
            return type_of(error).__name__, str_of(error)[:2000]
        except base_exception:
            return "Exception", "<unprintable>"

    try:
        exec(compile(source, "main.py", "exec"), namespace)
    except system_exit:
        raise
    except base_exception as error:
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__, limit=-20)
        sys.stderr.flush()
        exit_now(114)

    def serve():
        targets = {}
        while True:
            line = read_line()
            if not line:
                sys.stderr.flush()
                exit_now(0)
            request = loads(line)
            try:
                target = request["target"]
                if target not in targets:
                    targets[target] = eval(target, namespace)
                args = [decode(a) for a in request["args"]]
                kwargs = {k: decode(v) for k, v in request["kwargs"]}
                result = targets[target](*args, **kwargs)
            except system_exit:
                raise
            except base_exception as error:
                name, message = describe(error)
                reply({"raised": name, "message": message})
                continue
            try:
                answer = {"ok": encode(result), "args": []}
                for i, arg in enumerate_(args):
                    if type_of(arg) in types_that_mutate:
                        after = encode(arg)
                        # Compared as JSON text: as Python values, [True] == [1] (bare ints).
                        if dumps(after) != dumps(request["args"][i]):
                            answer["args"].append([i, after])
            except exception as error:
                name, message = describe(error)
                answer = {"error": f"the result is not plain data: {message}"}
            reply(answer)

    # SystemExit means the code exited (the host says so); anything else escaping the loop is the code
    # breaking what the loop relies on (the recursion limit, patched builtins): an error, as at import.
    try:
        serve()
    except system_exit:
        raise
    except base_exception:
        exit_now(114)


_qwen_lsp_serve(_qwen_lsp_codec())
