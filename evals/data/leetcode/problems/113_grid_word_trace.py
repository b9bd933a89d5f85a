# Backtracking DFS on a grid.
DIFFICULTY = "medium"
ENTRY_POINT = "grid_word_trace"

PROMPT = r'''
def grid_word_trace(board: list[str], word: str) -> bool:
    """board is a rectangle of letters given as equal-length strings. Return True if
    word can be traced on the board: start on any cell holding word[0], then move to
    a horizontally or vertically adjacent cell for each next letter, never using the
    same cell twice within the trace.

    Constraints: 1 <= rows, cols <= 6, 1 <= len(word) <= 15, letters are lowercase.

    >>> grid_word_trace(["abce", "sfcs", "adee"], "abcced")
    True
    >>> grid_word_trace(["abce", "sfcs", "adee"], "abcb")
    False
    """
'''

SOLUTION = r'''
    rows, cols = len(board), len(board[0])
    if len(word) > rows * cols:
        return False
    # quick rejection: not enough copies of some letter
    counts = {}
    for row in board:
        for ch in row:
            counts[ch] = counts.get(ch, 0) + 1
    need = {}
    for ch in word:
        need[ch] = need.get(ch, 0) + 1
    if any(counts.get(ch, 0) < k for ch, k in need.items()):
        return False
    # search from the rarer end of the word to prune early
    if counts[word[-1]] < counts[word[0]]:
        word = word[::-1]
    used = [[False] * cols for _ in range(rows)]
    for r0 in range(rows):
        for c0 in range(cols):
            if board[r0][c0] != word[0]:
                continue
            # iterative DFS: stack of (r, c, index, next direction)
            used[r0][c0] = True
            stack = [(r0, c0, 0, 0)]
            while stack:
                r, c, i, d = stack.pop()
                if i == len(word) - 1:
                    return True
                if d == 4:
                    used[r][c] = False
                    continue
                stack.append((r, c, i, d + 1))
                nr, nc = (r - 1, c) if d == 0 else (r + 1, c) if d == 1 else (r, c - 1) if d == 2 else (r, c + 1)
                if 0 <= nr < rows and 0 <= nc < cols and not used[nr][nc] and board[nr][nc] == word[i + 1]:
                    used[nr][nc] = True
                    stack.append((nr, nc, i + 1, 0))
    return False
'''

WRONG_KIND = "subtly-wrong"
WRONG = r'''
    # forgets that a cell may be used only once
    rows, cols = len(board), len(board[0])

    def go(r, c, i):
        if board[r][c] != word[i]:
            return False
        if i == len(word) - 1:
            return True
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < rows and 0 <= nc < cols and go(nr, nc, i + 1):
                return True
        return False

    return any(go(r, c, 0) for r in range(rows) for c in range(cols))
'''

TEST = r'''
def check(candidate):
    assert candidate(["abce", "sfcs", "adee"], "abcced") is True
    assert candidate(["abce", "sfcs", "adee"], "see") is True
    assert candidate(["abce", "sfcs", "adee"], "abcb") is False
    assert candidate(["a"], "a") is True
    assert candidate(["a"], "aa") is False
    assert candidate(["ab"], "ba") is True
    assert candidate(["ab", "cd"], "abdc") is True
    assert candidate(["ab", "cd"], "abcd") is False
    assert candidate(["aa"], "aaa") is False
    assert candidate(["aaa", "aba", "aaa"], "aaaaaaaab") is True

    import random
    rng = random.Random(113)

    def slow(board, word):
        rows, cols = len(board), len(board[0])
        def go(r, c, i, used):
            if board[r][c] != word[i]:
                return False
            if i == len(word) - 1:
                return True
            used.add((r, c))
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols and (nr, nc) not in used and go(nr, nc, i + 1, used):
                    return True
            used.discard((r, c))
            return False
        return any(go(r, c, 0, set()) for r in range(rows) for c in range(cols))

    for _ in range(150):
        rows, cols = rng.randint(1, 4), rng.randint(1, 4)
        board = ["".join(rng.choice("ab") for _ in range(cols)) for _ in range(rows)]
        word = "".join(rng.choice("ab") for _ in range(rng.randint(1, 7)))
        assert candidate(board, word) is slow(board, word), (board, word)

    for _ in range(40):
        board = ["".join(rng.choice("abc") for _ in range(6)) for _ in range(6)]
        r, c = rng.randrange(6), rng.randrange(6)
        word = board[r][c]
        for _ in range(rng.randint(0, 9)):
            r, c = rng.choice([(r + dr, c + dc) for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1))
                               if 0 <= r + dr < 6 and 0 <= c + dc < 6])
            word += board[r][c]
        assert candidate(board, word) is slow(board, word), (board, word)
    assert candidate(["a" * 6] * 6, "a" * 15) is True
    assert candidate(["aab"], "aaba") is False
    assert candidate(["ab", "aa"], "aaaa") is False
    assert candidate(["abc", "fed", "ghi"], "abcdefghi") is True
    assert candidate(["abc", "fed", "ghi"], "abcdefghia") is False
'''
