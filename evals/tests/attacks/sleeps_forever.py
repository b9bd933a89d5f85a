# attack: Sleeps past the limit.
# task: HumanEval/23
# expect: timeout
    import time
    time.sleep(3600)
