# The code's interpreter: runs the code under test as __main__, then answers calls, one JSON line
# in on stdin, one JSON line out on fd 1, until stdin ends.
#
# Invoked as `python -I -S -c <codec + this, compiled> <source as a JSON string>`. Requests, each with "args":
# [...] and "kwargs": [[name, value], ...] (and "forget": [ref, ...]): {"call": "<expression>"}
# calls a target evaluated once in the module's namespace (`two_sum`, `Solution().twoSum`);
# {"new": "<expression>", "handle": n} calls it and keeps the result as instance n (its reply is
# None); {"method": name, "handle": n} calls a public method of instance n. An argument may be
# {"keep": ref, "value": ...} or {"ref": ref} (big lists sent once, see judge.py). Reply: {"ok":
# value, "args": [[i, value], ...]} (the arguments the call mutated, so the tests see the
# mutation), {"raised": type name, "message": text}, or {"error": text} when the result is not
# plain data. Everything here runs beside the code under test, which may rewrite any of it: the
# host treats what comes out as an answer the code chose, checks it is plain data, and nothing
# more. The code's print() goes to stderr; only the replies use fd 1.
def _qwen_lsp_serve(codec):
    import io
    import os
    import sys

    NotPlain, encode, decode, same, dumps, loads = codec

    # The original streams stay referenced: collecting them would close their buffers.
    stdin, stdout = sys.stdin, sys.stdout
    write, read_line = os.write, stdin.buffer.readline
    exit_now, base_exception, exception, system_exit = os._exit, BaseException, Exception, SystemExit
    type_of, str_of, enumerate_, zip_ = type, str, enumerate, zip
    types_that_mutate = (list, dict, set)

    # The interpreter starts with -S: `site`'s start-up (~8 ms in the guest) reads nothing a program
    # here could use but the names it binds, which are bound as site.main() binds them (importing
    # the frozen module with -S runs nothing else).
    import site

    site.setquit()
    site.setcopyright()
    site.sethelper()
    site.enablerlcompleter()
    del site

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

    def argument(node, refs):
        # A request's argument: plain data, {"keep": ref, "value": data} (keep the decoded list, and a
        # shallow copy to spot mutations), or {"ref": ref} (the list kept under that ref).
        if type_of(node) is dict and "keep" in node:
            value = decode(node["value"])
            refs[node["keep"]] = [value, value.copy()]
            return value
        if type_of(node) is dict and "ref" in node:
            return refs[node["ref"]][0]
        return decode(node)

    def mark(node, arg):
        # What a mutable argument was before the call, to report it if the call mutates it: the
        # ref of a kept list, else its JSON text (as Python values, [True] == [1]).
        if type_of(node) is dict and ("keep" in node or "ref" in node):
            return node.get("keep", node.get("ref"))
        return dumps(node) if type_of(arg) in types_that_mutate else None

    def serve():
        targets, instances, refs, turn = {}, {}, {}, 0
        while True:
            line = read_line()
            if not line:
                sys.stderr.flush()
                exit_now(0)
            request = loads(line)
            turn += 1
            try:
                for ref in request.get("forget", ()):
                    refs.pop(ref, None)
                nodes = request["args"]
                args = [argument(node, refs) for node in nodes]
                kwargs = {k: decode(v) for k, v in request["kwargs"]}
                before = [mark(node, arg) for node, arg in zip_(nodes, args)]
                if "method" in request:
                    method = request["method"]
                    if method.startswith("__"):
                        raise AttributeError(method)
                    result = getattr(instances[request["handle"]], method)(*args, **kwargs)
                elif "new" in request:
                    target = request["new"]
                    if target not in targets:
                        targets[target] = eval(target, namespace)
                    instances[request["handle"]] = targets[target](*args, **kwargs)
                    result = None
                else:
                    target = request["call"]
                    if target not in targets:
                        targets[target] = eval(target, namespace)
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
                    was = before[i]
                    if type_of(was) is int:
                        entry = refs.get(was)
                        if entry is not None and entry[0] is arg and same(arg, entry[1], turn):
                            continue
                        # Mutated: the tests drop the ref too, and the next call sends it again.
                        refs.pop(was, None)
                        answer["args"].append([i, encode(arg)])
                    elif was is not None:
                        after = encode(arg)
                        if dumps(after) != was:
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
