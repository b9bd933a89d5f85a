#!/usr/bin/env python3
"""Renders a `tmux capture-pane -e` screen (24-bit SGR colours, as Neovim emits with termguicolors) to a PNG
with ImageMagick's `convert` (Debian's imagemagick) and the DejaVu Sans Mono font (fonts-dejavu-core).
Usage: ansi_to_png.py SCREEN.ansi OUT.png"""
import re
import subprocess
import sys
import tempfile

CELL_W, CELL_H, PT, PAD = 9, 19, 15, 10
DEFAULT_FG, DEFAULT_BG = (224, 226, 234), (20, 22, 27)
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(text):
    """Yields (row, col, char, fg, bg, bold) for every cell of the screen."""
    fg, bg, bold = DEFAULT_FG, DEFAULT_BG, False
    for row, line in enumerate(text.split("\n")):
        col, pos = 0, 0
        for m in list(SGR.finditer(line)) + [None]:
            end = m.start() if m else len(line)
            for ch in line[pos:end]:
                yield row, col, ch, fg, bg, bold
                col += 1
            if not m:
                break
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, bold = DEFAULT_FG, DEFAULT_BG, False
                elif c == 1:
                    bold = True
                elif c == 22:
                    bold = False
                elif c in (38, 48) and i + 4 < len(codes) + 0 and codes[i + 1] == 2:
                    rgb = tuple(codes[i + 2:i + 5])
                    fg, bg = (rgb, bg) if c == 38 else (fg, rgb)
                    i += 4
                elif c == 39:
                    fg = DEFAULT_FG
                elif c == 49:
                    bg = DEFAULT_BG
                i += 1


def main(src, out):
    text = open(src, encoding="utf-8").read().rstrip("\n")
    rows = text.split("\n")
    width = max(len(SGR.sub("", r)) for r in rows)
    mvg = []
    for row, col, ch, fg, bg, bold in cells(text):
        x, y = PAD + col * CELL_W, PAD + row * CELL_H
        if bg != DEFAULT_BG:
            mvg.append(f"fill rgb{bg} rectangle {x},{y} {x + CELL_W},{y + CELL_H}")
        if ch != " ":
            esc = ch.replace("\\", "\\\\").replace('"', '\\"')
            font = "DejaVu-Sans-Mono-Bold" if bold else "DejaVu-Sans-Mono"
            mvg.append(f'font "{font}" fill rgb{fg} text {x},{y + CELL_H - 5} "{esc}"')
    with tempfile.NamedTemporaryFile("w", suffix=".mvg", delete=False) as f:
        f.write("font-size %d\n" % PT)
        f.write("\n".join(mvg) + "\n")
    size = f"{2 * PAD + width * CELL_W}x{2 * PAD + len(rows) * CELL_H}"
    subprocess.run(["convert", "-size", size, f"xc:rgb{DEFAULT_BG}", "-draw", f"@{f.name}", out], check=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
