# attack: A method floods stderr right before answering a wrong value.
# task: leetcode/135-longest-steady-stretch
# expect: output_limit
        import sys
        while True:
            sys.stderr.write("x" * 65536)
