# Plain data <-> JSON: the only values that cross between the code's and the tests' interpreters.
#
# None, bool and str are themselves; a list is a JSON array; an int within +-2^53 is a bare JSON
# integer (no fraction, no exponent: lists of 10^5 ints cross as compactly as JSON allows);
# everything else is an object with one tag: {"int": "12"} (ints beyond +-2^53, which a JSON number
# does not carry exactly everywhere), {"float": "1.5"} (repr, so nan/inf/-0.0 survive and 1.0 never
# reads back as the int 1), {"bytes": "<hex>"}, {"ints": "<base64>"} (a list of 1,000+ ints within
# int64, as little-endian int64s: a list of 10^6 crosses in milliseconds, not a second of JSON),
# {"tuple": [...]}, {"dict": [[k, v], ...]}, {"set": [...]}, {"frozenset": [...]}. Subclasses of
# these types (IntEnum, namedtuple, Counter, OrderedDict, str subclasses) cross as their base type,
# read through the base type's own methods: whatever the subclass overrides stays behind. Anything
# else raises NotPlain. The host checks every message against this grammar before passing it on.
#
# The lines themselves are read and written by json's C accelerator (`_json`), not by the `json`
# package: importing that compiles its regexes, ~40 ms of each interpreter's start-up in the guest.
def _qwen_lsp_codec():
    import _json
    import sys
    from array import array as int64s
    from binascii import a2b_base64 as from_base64, b2a_base64 as to_base64
    from operator import is_ as is_same

    is_instance, type_of, name_of = isinstance, type, lambda v: type(v).__name__
    int_repr, float_repr, str_str, bytes_hex = int.__repr__, float.__repr__, str.__str__, bytes.hex
    list_iter, tuple_iter, dict_items = list.__iter__, tuple.__iter__, dict.items
    set_iter, frozenset_iter = set.__iter__, frozenset.__iter__
    to_int, to_float, from_hex = int, float, bytes.fromhex
    sys.set_int_max_str_digits(0)
    exact, wide, pack_from = 1 << 53, 1 << 63, 1000
    int_kind, bare_kinds = {int}, {str, bool, type(None)}
    decoded_kinds = {int, str, bool, type(None)}

    class NotPlain(Exception):
        pass

    def encode(value, depth=0):
        if type_of(value) is int and -exact <= value <= exact:
            return value
        if depth > 100:
            raise NotPlain("a value nested more than 100 levels deep")
        if value is None or value is True or value is False:
            return value
        if is_instance(value, bool):
            return bool(value)
        if is_instance(value, int):
            # A subclass (IntEnum...) is read through int's own repr, as the docs above say.
            plain = to_int(int_repr(value))
            return plain if -exact <= plain <= exact else {"int": int_repr(plain)}
        if is_instance(value, float):
            return {"float": float_repr(value)}
        if is_instance(value, str):
            return str_str(value)
        if is_instance(value, bytes):
            return {"bytes": bytes_hex(value)}
        depth += 1
        if type_of(value) is list:
            # A flat list of small ints, or of str/bool/None (the big inputs of LeetCode-style tests),
            # is its own encoding: checked at C speed rather than with one Python call per element.
            kinds = set(map(type_of, value))
            if kinds == int_kind:
                low, high = min(value), max(value)
                if len(value) >= pack_from and -wide <= low and high < wide:
                    return {"ints": to_base64(int64s("q", value).tobytes(), newline=False).decode()}
                if -exact <= low and high <= exact:
                    return value
            if kinds <= bare_kinds:
                return value
        if is_instance(value, list):
            return [encode(v, depth) for v in list_iter(value)]
        if is_instance(value, tuple):
            return {"tuple": [encode(v, depth) for v in tuple_iter(value)]}
        if is_instance(value, dict):
            return {"dict": [[encode(k, depth), encode(v, depth)] for k, v in dict_items(value)]}
        if is_instance(value, frozenset):
            return {"frozenset": [encode(v, depth) for v in frozenset_iter(value)]}
        if is_instance(value, set):
            return {"set": [encode(v, depth) for v in set_iter(value)]}
        raise NotPlain(f"a value of type {name_of(value)!r}")

    def decode(node):
        if node is None or node is True or node is False or type_of(node) is str:
            return node
        if type_of(node) is int:
            return node
        if type_of(node) is list:
            # What json.loads made of a flat list is already the value (the host checked the ints).
            if set(map(type_of, node)) <= decoded_kinds:
                return node
            return [decode(v) for v in node]
        if type_of(node) is not dict or len(node) != 1:
            raise NotPlain(f"a node of type {name_of(node)!r}")
        ((tag, body),) = node.items()
        if tag == "int":
            return to_int(body)
        if tag == "float":
            return to_float(body)
        if tag == "bytes":
            return from_hex(body)
        if tag == "ints":
            return int64s("q", from_base64(body)).tolist()
        if tag == "tuple":
            return tuple(decode(v) for v in body)
        if tag == "dict":
            return {decode(k): decode(v) for k, v in body}
        if tag == "set":
            return {decode(v) for v in body}
        if tag == "frozenset":
            return frozenset(decode(v) for v in body)
        raise NotPlain(f"unknown tag {tag!r}")

    def same(value, snapshot, turn):
        # Whether a big list still holds what it held when `snapshot` (its shallow copy) was taken, as
        # far as its length, its ends and 256 elements spread over it (by identity; the spread shifts
        # with `turn`) tell. O(1) where comparing it all would cost as much as the call it saves: an
        # in-place write to another element is missed (see "Big arguments" in evals/README.md).
        n = len(value)
        if n != len(snapshot):
            return False
        if n == 0:
            return True
        step = n // 256 or 1
        start = turn % step
        return (value[0] is snapshot[0] and value[-1] is snapshot[-1]
                and all(map(is_same, value[start::step], snapshot[start::step])))

    class JsonContext:
        # What json.decoder.JSONDecoder hands its C scanner. No NaN or Infinity: floats are tagged.
        strict, object_hook, object_pairs_hook = True, None, None
        parse_float, parse_int = float, int

        @staticmethod
        def parse_constant(name):
            raise ValueError(f"{name} is not plain data")

    def not_json(value):
        raise TypeError(f"a value of type {name_of(value)!r} is not JSON")

    scan = _json.make_scanner(JsonContext)
    # json.dumps(value, separators=(",", ":"), allow_nan=False), without the circular check: what is
    # written comes from encode() or the host, a tree.
    write_json = _json.make_encoder(
        None, not_json, _json.encode_basestring_ascii, None, ":", ",", False, False, False
    )

    def dumps(value):
        return "".join(write_json(value, 0))

    def loads(text):
        if type_of(text) is bytes:
            text = text.decode()
        try:
            value, end = scan(text, 0)
        except StopIteration:
            raise ValueError("not JSON") from None
        if text[end:].strip():
            raise ValueError("text after the JSON value")
        return value

    return NotPlain, encode, decode, same, dumps, loads
