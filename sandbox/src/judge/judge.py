# The tests' interpreter: runs `setup`, binds each name of `bind` to a function that calls the code's
# interpreter and each name of `classes` to a proxy class whose instances live there, runs `tests`,
# and maps how they ended to an exit status, as prelude.py does.
#
# Invoked as `python -I -S -c <codec + this, compiled> <spec JSON>`, spec {"setup", "setup_optional", "bind":
# [[name, target], ...], "classes": [[name, target], ...], "tests"}. A call writes one request to
# fd 1, {"call": target} (a function), {"new": target, "handle": n} (construct an instance, known
# as n from then on) or {"method": name, "handle": n} (call a method of instance n), each with
# "args" and "kwargs" (and "forget", kept arguments to drop), and reads the host's reply on stdin;
# `report(name, passed, message, line)` (bound as `__qwen_lsp_report`) writes {"case": {...}} for
# the host to collect. Nothing the code under test runs ever executes here: its answers arrive as
# plain data, checked by the host, decoded into fresh built-in values. Exit statuses: 0 passed, 113
# an AssertionError, 114 another exception, 115 a test passed an argument that is not plain data
# (the tests, not the code, are unsupported).
def _qwen_lsp_judge(codec):
    import builtins
    import io
    import os
    import sys

    NotPlain, encode, decode, same, dumps, loads = codec
    # The original streams stay referenced: collecting them would close their buffers.
    stdin, stdout = sys.stdin, sys.stdout
    write, read_line = os.write, stdin.buffer.readline
    exit_now, base_exception, exception = os._exit, BaseException, Exception

    class CrossingError(BaseException):
        """The code answered with something that is not plain data, or ended."""

    class Unsupported(BaseException):
        """A test passed an argument that cannot cross to the code's interpreter."""

    class CodeRaised(BaseException):
        """The code raised something that is not an Exception (SystemExit, KeyboardInterrupt...)."""

    spec = loads(sys.argv[1])
    sys.argv[:] = ["main.py"]
    sys.stdout = sys.__stdout__ = sys.stderr
    sys.stdin = sys.__stdin__ = io.StringIO()

    def send(message):
        data = (dumps(message) + "\n").encode()
        while data:
            data = data[write(1, data):]

    mutable = (list, dict, set)

    def merged(old, new):
        # The value to keep at a place the code may have mutated: the test's own object, synced in
        # place, when it is a list/dict/set and the new value has its type; the new value otherwise.
        if type(old) is type(new) and type(old) in mutable:
            sync(old, new)
            return old
        return new

    def sync(arg, value):
        # The code mutated a list/dict/set argument: mirror it in place, recursively, so a test that
        # checks its input (or the rows of a grid it passed) sees what the code did, in the very
        # objects the test holds.
        if type(arg) is list and type(value) is list:
            arg[:] = [merged(arg[i], v) if i < len(arg) else v for i, v in enumerate(value)]
        elif type(arg) is dict and type(value) is dict:
            new = {k: merged(arg[k], v) if k in arg else v for k, v in value.items()}
            arg.clear()
            arg.update(new)
        elif type(arg) is set and type(value) is set:
            arg.clear()
            arg.update(value)

    # Big arguments (see "Big arguments" in evals/README.md): a list of at least BIG elements crosses
    # once as {"keep": ref, "value": ...}; passed again while `same` says it is unchanged, it crosses
    # as {"ref": ref}, the code's interpreter handing the call the object it kept. A list the tests no
    # longer hold is forgotten on both sides ("forget" in the next request), and so are the oldest
    # beyond KEEP lists or KEEP_ELEMENTS elements: keeping costs no more memory than the tests use.
    BIG, KEEP, KEEP_ELEMENTS = 10_000, 8, 3_000_000
    refcount = sys.getrefcount
    kept = {}  # id(list) -> [the list (keeps the id unique), its shallow copy, ref]
    forget, counter, turn = [], [0], [0]  # turn: calls so far, to shift the probes of `same`

    def fresh():
        counter[0] += 1
        return counter[0]

    def encode_arg(value):
        if type(value) is not list or len(value) < BIG:
            return encode(value)
        entry = kept.get(id(value))
        if entry is not None and same(value, entry[1], turn[0]):
            return {"ref": entry[2]}
        node = encode(value)
        if entry is not None:
            forget.append(kept.pop(id(value))[2])
        while kept and (len(kept) >= KEEP or
                        sum(len(e[1]) for e in kept.values()) + len(value) > KEEP_ELEMENTS):
            forget.append(kept.pop(next(iter(kept)))[2])
        ref = fresh()
        kept[id(value)] = [value, value.copy(), ref]
        return {"keep": ref, "value": node}

    def call(head, args, kwargs):
        # `head`: {"call": target} | {"new": target, "handle": n} | {"method": name, "handle": n}.
        what = head.get("call") or head.get("new") or head.get("method")
        turn[0] += 1
        # Held only by `kept` (and the argument of getrefcount): the tests let it go.
        for key in [key for key, entry in kept.items() if refcount(entry[0]) <= 2]:
            forget.append(kept.pop(key)[2])
        try:
            request = dict(head)
            request["args"] = [encode_arg(a) for a in args]
            request["kwargs"] = [[k, encode(v)] for k, v in kwargs.items()]
        except NotPlain as error:
            raise Unsupported(f"an argument to {what} is not plain data: {error}") from None
        if forget:
            request["forget"] = forget[:]
            forget.clear()
        send(request)
        line = read_line()
        if not line:
            raise CrossingError("the code under test ended without answering")
        reply = loads(line)
        if "ok" in reply:
            try:
                result = decode(reply["ok"])
                for i, value in reply["args"]:
                    if i < len(args):
                        # The code dropped a kept argument it mutated: so does this side.
                        kept.pop(id(args[i]), None)
                        sync(args[i], decode(value))
            except exception as error:
                raise CrossingError(f"{what} answered a value that cannot be rebuilt: {error}") from None
            return result
        if "raised" in reply:
            name, message = reply["raised"], reply["message"]
            cls = getattr(builtins, name, None)
            if isinstance(cls, type) and issubclass(cls, exception):
                try:
                    error = cls(message)
                except exception:
                    error = Exception(f"{name}: {message}")
                raise error
            raise CodeRaised(f"{name}: {message}")
        raise CrossingError(reply.get("error", "a malformed reply"))

    def bound(target):
        def candidate(*args, **kwargs):
            return call({"call": target}, args, kwargs)

        candidate.__qualname__ = candidate.__name__ = target
        return candidate

    def proxy_class(target):
        # A class whose instances live in the code's interpreter: constructing one sends {"new"} with a
        # fresh handle, and every public attribute is a method whose calls cross as {"method"}. No
        # object of the code's ever exists here, only the handle.
        class Proxy:
            def __init__(self, *args, **kwargs):
                handle = fresh()
                call({"new": target, "handle": handle}, args, kwargs)
                object.__setattr__(self, "_qwen_lsp_handle", handle)

            def __getattr__(self, name):
                if name.startswith("__") or name == "_qwen_lsp_handle":
                    raise AttributeError(name)
                handle = object.__getattribute__(self, "_qwen_lsp_handle")

                def method(*args, **kwargs):
                    return call({"method": name, "handle": handle}, args, kwargs)

                method.__qualname__ = method.__name__ = name
                return method

        Proxy.__qualname__ = Proxy.__name__ = target
        return Proxy

    def report(name, passed, message="", line=None):
        case = {"name": str(name), "passed": bool(passed), "message": str(message)[:2000]}
        if isinstance(line, int):
            case["line"] = line
        send({"case": case})

    namespace = sys.modules["__main__"].__dict__
    keep = {"__name__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__"}
    for name in [name for name in namespace if name not in keep]:
        del namespace[name]
    namespace["__file__"] = "main.py"
    namespace["__qwen_lsp_report"] = report
    status = 0
    try:
        setup = spec["setup"]
        try:
            setup = compile(setup, "setup.py", "exec")
        except SyntaxError:
            if not spec["setup_optional"]:
                raise
            setup = None
        if setup is not None:
            exec(setup, namespace)
        for name, target in spec["bind"]:
            namespace[name] = bound(target)
        for name, target in spec["classes"]:
            namespace[name] = proxy_class(target)
        exec(compile(spec["tests"], "tests.py", "exec"), namespace)
    except SystemExit as end:
        # Only the tests' own code can raise it here (the code's SystemExit arrives as CodeRaised).
        status = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    except base_exception as error:
        status = 113 if isinstance(error, AssertionError) else 115 if isinstance(error, Unsupported) else 114
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__, limit=-20)
    try:
        sys.stderr.flush()
    except base_exception:
        pass
    exit_now(status)


_qwen_lsp_judge(_qwen_lsp_codec())
