# attack: A method that sorts its input in place (forbidden) and answers from the sorted copy: the mutation crosses back and the test sees it.
# task: leetcode/135-longest-steady-stretch
# expect: failed
        heights.sort()
        best = start = 0
        for end in range(len(heights)):
            while heights[end] - heights[start] > tolerance:
                start += 1
            best = max(best, end - start + 1)
        return best
