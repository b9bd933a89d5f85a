# attack: Floods the reply channel with one line longer than a message may be.
# task: HumanEval/23
# expect: error
    import os
    data = b'[' + b'null,' * (8 << 20) + b'null]\n'
    while data:
        data = data[os.write(1, data):]
    return -1
