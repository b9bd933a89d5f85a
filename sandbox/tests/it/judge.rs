//! Trials: tests and the code they test in separate interpreters, calls crossing as plain data.

use std::time::Duration;

use sandbox::{Limits, Trial, TrialOutcome, TrialVerdict};

use crate::{limits, sandbox};

/// Runs `trial`; a host error fails the test.
fn run(trial: &Trial, limits: &Limits) -> TrialOutcome {
    sandbox()
        .judge_blocking(trial, limits)
        .unwrap_or_else(|e| panic!("host error: {e}"))
}

/// A trial whose tests call the code's `f`.
fn function_trial(code: &str, tests: &str) -> Trial {
    Trial {
        code: code.to_owned(),
        bind: vec![("f".to_owned(), "f".to_owned())],
        tests: tests.to_owned(),
        ..Trial::default()
    }
}

fn judge(code: &str, tests: &str) -> TrialOutcome {
    run(&function_trial(code, tests), &limits())
}

#[test]
fn plain_values_cross_both_ways_unchanged() {
    let code = "def f(*args, **kwargs):\n    return [args, kwargs]\n";
    let tests = r#"
values = [None, True, False, 0, -7, 10**40, 1.5, float('inf'), -0.0, 'é\n', b'\x00\xff',
          [1, [2]], (1, (2,)), {'a': {1: (2,)}}, {1, 2}, frozenset({3})]
for v in values:
    args, kwargs = f(v, key=v)
    assert args == (v,) and kwargs == {'key': v}, (v, args, kwargs)
    assert type(args[0]) is type(v), (v, type(args[0]))
nan = f(float('nan'))[0][0]
assert nan != nan
"#;
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
    assert_eq!(out.calls, 17);
}

#[test]
fn mutated_arguments_are_mirrored_and_exceptions_re_raised() {
    let code = "def f(xs):\n    xs.append(1)\n    if len(xs) > 2:\n        raise ValueError('long')\n    return len(xs)\n";
    let tests = r#"
xs = []
assert f(xs) == 1 and xs == [1]
assert f(xs) == 2 and xs == [1, 1]
try:
    f(xs)
    raise AssertionError('no exception')
except ValueError as e:
    assert str(e) == 'long'
"#;
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
}

#[test]
fn each_way_the_code_can_end_has_its_verdict() {
    let tests = "assert f() == 1\n";
    for (code, verdict) in [
        ("def f():\n    return 1\n", TrialVerdict::Passed),
        ("def f():\n    return 2\n", TrialVerdict::Failed),
        (
            "def f():\n    import os\n    os._exit(0)\n",
            TrialVerdict::CodeExited,
        ),
        ("import sys\nsys.exit(0)\n", TrialVerdict::CodeExited),
        ("def f(:\n", TrialVerdict::Error),
        ("def f():\n    return object()\n", TrialVerdict::Error),
        (
            "def f():\n    while True:\n        pass\n",
            TrialVerdict::Timeout,
        ),
    ] {
        let tight = Limits {
            timeout: Duration::from_secs(4),
            ..limits()
        };
        let out = run(&function_trial(code, tests), &tight);
        assert_eq!(out.verdict, verdict, "{code}: {out:?}");
    }
}

#[test]
fn tests_that_pass_objects_are_unsupported_and_cases_are_collected() {
    let out = judge(
        "def f(x):\n    return 1\n",
        "__qwen_lsp_report('one', True, '', 3)\nf(object())\n",
    );
    assert_eq!(out.verdict, TrialVerdict::Unsupported, "{out:?}");
    assert_eq!(out.cases.len(), 1);
    assert_eq!(out.cases[0].line, Some(3));
}

/// `010-insert-position`, `052-window-peaks`, `120-any-peak`: lists of 10^5 ints timed out or ran
/// out of memory while each int crossed as a tagged object. Small ints now cross as bare JSON
/// integers; their types, and the line between 2^53 and the tagged form, must still hold both ways.
#[test]
fn big_int_lists_cross_compactly_and_keep_their_types() {
    let code = "def f(x):\n    return x\n";
    let tests = r#"
xs = list(range(-50000, 50000))
assert f(xs) == xs
for v in [0, 1, -1, 2**53, -2**53, 2**53 + 1, -2**53 - 1, 10**40, 1.0, -0.0, 2.0**53, 1e300,
          True, False, [1, 1.0, True], {1: 1.0, 2.0: True}, (1, 1.0)]:
    got = f(v)
    assert got == v and type(got) is type(v), (v, got)
    assert repr(got) == repr(v), (v, got)
for v in [float('nan'), float('inf'), -float('inf')]:
    assert repr(f(v)) == repr(v), v
"#;
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
}

/// `010-insert-position`: a mutation that turns an int into a bool (equal in Python) is still a
/// mutation the tests see.
#[test]
fn an_int_replaced_by_an_equal_bool_is_a_mutation() {
    let code = "def f(xs):\n    xs[0] = True\n    xs[1] = 2.0\n";
    let tests = "xs = [1, 2]\nf(xs)\nassert type(xs[0]) is bool and type(xs[1]) is float, xs\n";
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
}

/// The code side may write anything on its channel: bare floats and ints beyond 2^53, which the
/// codec never writes, are refused by the host, not rebuilt as values.
#[test]
fn bare_floats_and_huge_bare_ints_from_the_code_are_refused() {
    for forged in ["1.0", "1e3", "9007199254740993", "[1, 2.5]"] {
        let code = format!(
            "import os\ndef f():\n    return 1\n\
             def forged():\n    while os.read(0, 1 << 20):\n        os.write(1, b'{{\"ok\": {forged}, \"args\": []}}\\n')\n    os._exit(0)\n\
             forged()\n"
        );
        let tests = "try:\n    f()\nexcept BaseException as e:\n    assert 'plain data' in str(e), e\nelse:\n    raise AssertionError('accepted')\n";
        let out = judge(&code, tests);
        assert_eq!(out.verdict, TrialVerdict::Passed, "{forged}: {out:?}");
    }
}

/// `093-turn-grid`: the test checks that the rows of the grid it holds were modified in place;
/// mutations are mirrored recursively, into the test's own nested objects.
#[test]
fn turn_grid_mutations_reach_nested_rows_in_place() {
    let code = "def f(grid, d):\n    for row in grid:\n        row.reverse()\n    grid.append([0])\n    d['k'].add(9)\n    d['rows'][0][0] = 'x'\n";
    let tests = r#"
grid = [[1, 2], [3, 4]]
rows = list(grid)
d = {'k': {1}, 'rows': [[1]]}
k, inner = d['k'], d['rows'][0]
f(grid, d)
assert grid == [[2, 1], [4, 3], [0]], grid
assert grid[0] is rows[0] and grid[1] is rows[1]
assert d['k'] is k and k == {1, 9} and d['rows'][0] is inner and inner == ['x']
"#;
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
}

fn judge_classes(code: &str, tests: &str) -> TrialOutcome {
    let trial = Trial {
        code: code.to_owned(),
        classes: vec![("Counter".to_owned(), "Counter".to_owned())],
        tests: tests.to_owned(),
        ..Trial::default()
    };
    run(&trial, &limits())
}

/// Method form (LeetCode's `Solution`, design problems): instances live in the code's interpreter,
/// keep their state between calls, and the tests hold only a proxy.
#[test]
fn instances_live_in_the_code_and_keep_their_state() {
    let code = r#"
class Counter:
    def __init__(self, start=0):
        self.n = start
    def add(self, k=1):
        self.n += k
        return self.n
    def fill(self, xs):
        xs.append(self.n)
"#;
    let tests = r#"
a, b = Counter(), Counter(start=10)
assert a.add() == 1 and a.add(2) == 3 and b.add() == 11 and a.add() == 4
xs = []
b.fill(xs)
assert xs == [11], xs
assert type(a).__name__ == 'Counter' and isinstance(b, Counter)
try:
    a.missing()
    raise AssertionError('no error')
except AttributeError:
    pass
try:
    a.__dict__['n']
except KeyError:
    pass
else:
    raise AssertionError('the instance crossed')
"#;
    let out = judge_classes(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
    assert_eq!(out.calls, 8);
}

/// A method's answer is plain data like a function's: an object with a lying `__eq__` does not
/// cross, and an exit in the constructor or in a method leaves the call unanswered.
#[test]
fn methods_answer_plain_data_and_exits_are_not_answers() {
    let tests = "c = Counter()\nassert c.get() == 7\n";
    for (code, verdict) in [
        (
            "class Counter:\n    def get(self):\n        return 7\n",
            TrialVerdict::Passed,
        ),
        (
            "class Yes:\n    def __eq__(self, o):\n        return True\n\
             class Counter:\n    def get(self):\n        return Yes()\n",
            TrialVerdict::Error,
        ),
        (
            "class Counter:\n    def __init__(self):\n        raise SystemExit(0)\n",
            TrialVerdict::CodeExited,
        ),
        (
            "import os\nclass Counter:\n    def get(self):\n        os._exit(0)\n",
            TrialVerdict::CodeExited,
        ),
        (
            "class Counter:\n    def __getattr__(self, name):\n        return lambda: 7\n",
            TrialVerdict::Passed,
        ),
        ("Counter = 3\n", TrialVerdict::Error),
    ] {
        let out = judge_classes(code, tests);
        assert_eq!(out.verdict, verdict, "{code}: {out:?}");
    }
}

/// Only public methods cross: the code's dunders (`__len__`, `__eq__`, `__iter__`) never act for
/// the proxy, so `len()`, `==` and iteration in the tests see the proxy itself.
#[test]
fn dunder_methods_never_cross() {
    let code = r#"
class Counter:
    def __len__(self):
        return 5
    def __eq__(self, other):
        return True
    def __iter__(self):
        return iter([1, 2])
"#;
    let tests = r#"
c = Counter()
for name in ('__len__', '__iter__', '__getitem__'):
    try:
        getattr(c, name)
        raise AssertionError(name + ' crossed')
    except AttributeError:
        pass
assert c != 5 and c == c
for use in (len, list):
    try:
        use(c)
        raise AssertionError(f'{use} crossed')
    except TypeError:
        pass
"#;
    let out = judge_classes(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
    assert_eq!(out.calls, 1);
}

/// `010-insert-position`, `030-rotated-lookup`, `120-any-peak`: thousands of calls on one list of
/// 10^6 ints. The list crosses once; later calls name it, while it is unchanged. A change the
/// tests make (at its ends, in length, or a new list) and a mutation the code makes are seen.
#[test]
fn a_big_list_crosses_once_and_changes_are_still_seen() {
    let code = r#"
seen = []
def f(xs, i):
    if not any(x is xs for x in seen):
        seen.append(xs)
    return xs[i]
def grow(xs):
    xs.append(-1)
def distinct():
    return len(seen)
"#;
    let trial = Trial {
        code: code.to_owned(),
        bind: ["f", "grow", "distinct"]
            .map(|n| (n.to_owned(), n.to_owned()))
            .to_vec(),
        tests: r#"
big = list(range(10**6))
for _ in range(3000):
    assert f(big, 123456) == 123456
assert distinct() == 1
mid = list(range(20000))
assert f(mid, 5) == 5 and f(mid, 6) == 6 and distinct() == 2
mid[0] = 'x'
assert f(mid, 0) == 'x' and distinct() == 3
mid.append(7)
assert f(mid, -1) == 7 and distinct() == 4
grow(mid)
assert mid[-1] == -1 and len(mid) == 20002 and distinct() == 4
assert f(mid, -1) == -1 and distinct() == 5
assert f(list(mid), -2) == 7 and distinct() == 6
assert f(big, 7) == 7 and distinct() == 6
"#
        .to_owned(),
        ..Trial::default()
    };
    let patient = Limits {
        timeout: Duration::from_secs(120),
        ..limits()
    };
    let out = run(&trial, &patient);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
}

/// The code's interpreter starts without `site` (its start-up cost), but a program there still
/// has the names `site` binds, and the PYTHONPATH that points CPython at the unpacked standard
/// library is gone before the code runs.
#[test]
fn the_code_sees_what_site_binds_and_no_environment() {
    let code = r#"
import builtins, os, sys
def f():
    names = ['exit', 'quit', 'help', 'copyright', 'credits', 'license']
    return ([n for n in names if not hasattr(builtins, n)], dict(os.environ),
            repr(exit), hasattr(sys, '__interactivehook__'))
"#;
    let tests = r#"
missing, environ, shown, hook = f()
assert missing == [], missing
assert environ == {}, environ
assert shown == 'Use exit() or Ctrl-D (i.e. EOF) to exit', shown
assert hook
"#;
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
    let out = judge("def f():\n    exit(0)\n", "f()\n");
    assert_eq!(out.verdict, TrialVerdict::CodeExited, "{out:?}");
}

/// Trials import the standard library from a directory the sandbox unpacked once and shares
/// between all of them: a sample that could write there would reach every later trial's tests.
/// The mount is read-only, so every attempt fails, and the next trial imports the real module.
#[test]
fn the_shared_standard_library_cannot_be_written() {
    let code = r#"
import os, sys
def f():
    root = sys.path[0]
    denied = []
    attempts = [
        lambda: open(os.path.join(root, 'typing.pyc'), 'wb').write(b'x'),
        lambda: open(os.path.join(root, 'typing.pyc'), 'ab').write(b'x'),
        lambda: open(os.path.join(root, 'evil.py'), 'w').write('raise SystemExit'),
        lambda: os.remove(os.path.join(root, 'typing.pyc')),
        lambda: os.rename(os.path.join(root, 'typing.pyc'), os.path.join(root, 't.pyc')),
        lambda: os.mkdir(os.path.join(root, 'evil')),
        lambda: os.truncate(os.path.join(root, 'typing.pyc'), 0),
    ]
    for attempt in attempts:
        try:
            attempt()
        except OSError:
            denied.append(True)
    return root, len(denied), len(attempts)
"#;
    let out = judge(
        code,
        "root, denied, attempts = f()\nassert root == '/stdlib', root\nassert denied == attempts, (denied, attempts)\n",
    );
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
    let after = judge(
        "def f():\n    return 1\n",
        "import typing, sys\nassert f() == 1\nassert typing.List is not None\nassert not any(p.endswith('evil') for p in sys.modules)\n",
    );
    assert_eq!(after.verdict, TrialVerdict::Passed, "{after:?}");
}
