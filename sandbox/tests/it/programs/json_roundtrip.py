import json

data = {"name": "grid", "cells": [[i * j for j in range(4)] for i in range(3)], "ok": True, "none": None,
        "nested": {"b": 1.5, "a": "text with \"quotes\" and é"}}
text = json.dumps(data, sort_keys=True)
print(text)
print(json.loads(text) == data)
print(json.dumps(data["cells"], indent=2))
print(json.dumps("é✓", ensure_ascii=True), json.dumps("é✓", ensure_ascii=False))
