# attack: Replaces os.write so that the reply carries another value.
# task: HumanEval/23
# expect: failed
    return -1
import os
_w = os.write
os.write = lambda fd, b: _w(fd, b.replace(b'-1', b'0'))
