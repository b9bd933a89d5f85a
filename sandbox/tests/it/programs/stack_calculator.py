def evaluate(expr):
    def prec(op):
        return {"+": 1, "-": 1, "*": 2, "/": 2}[op]

    nums, ops = [], []

    def apply():
        b, a, op = nums.pop(), nums.pop(), ops.pop()
        nums.append({"+": a + b, "-": a - b, "*": a * b, "/": int(a / b)}[op])

    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isdigit():
            j = i
            while j < len(expr) and expr[j].isdigit():
                j += 1
            nums.append(int(expr[i:j]))
            i = j
            continue
        if ch == "(":
            ops.append(ch)
        elif ch == ")":
            while ops[-1] != "(":
                apply()
            ops.pop()
        elif ch in "+-*/":
            while ops and ops[-1] != "(" and prec(ops[-1]) >= prec(ch):
                apply()
            ops.append(ch)
        i += 1
    while ops:
        apply()
    return nums[0]


for e in ["3+2*2", " 3/2 ", "(1+(4+5+2)-3)+(6+8)", "14-3/2", "2*(3+4)*(5-1)/7"]:
    print(repr(e), evaluate(e))
