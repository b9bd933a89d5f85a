# attack: Replaces sys.modules['json'] with a module whose dumps forges a passing answer.
# task: HumanEval/23
# expect: failed
    return -1
import sys, types
fake = types.ModuleType('json')
fake.dumps = lambda *a, **k: '{"ok": {"int": "9"}, "args": []}'
fake.loads = lambda *a, **k: {}
sys.modules['json'] = fake
