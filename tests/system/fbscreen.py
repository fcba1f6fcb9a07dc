"""Read Keel's framebuffer console back from a QEMU screendump.

The glyphs come from drivers/fb/font8x16.c itself, so the test checks the
screen against the very font Keel draws with: every 8x16 cell of the
screendump is matched exactly against each glyph's bitmap.
"""
import os
import re
import socket
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FONT_C = os.path.join(ROOT, "drivers", "fb", "font8x16.c")
FONT_W, FONT_H = 8, 16
# Keel draws light grey (0xc0) on black: anything brighter than half is lit.
LIT = 0x60
UNKNOWN = "\x00"


def load_font():
    """{16 row bytes: character} from the C table."""
    text = open(FONT_C).read()
    glyphs = {}
    for m in re.finditer(r"\[0x([0-9a-f]{2}) - FONT_FIRST\] = \{([^}]*)\}", text):
        rows = bytes(int(v, 16) for v in re.findall(r"0x([0-9a-f]{2})", m.group(2)))
        assert len(rows) == FONT_H, m.group(0)
        glyphs.setdefault(rows, chr(int(m.group(1), 16)))
    assert len(glyphs) > 90, "font table not parsed"
    return glyphs


def read_ppm(path):
    """(width, height, RGB bytes) of a binary PPM (P6, maxval 255)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, at = [], 0
    while len(fields) < 4:
        while data[at:at + 1].isspace():
            at += 1
        if data[at:at + 1] == b"#":
            at = data.index(b"\n", at)
            continue
        end = at
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    w, h = int(fields[1]), int(fields[2])
    pix = data[at + 1:]
    assert len(pix) >= w * h * 3, (len(pix), w, h)
    return w, h, pix


def decode(path, glyphs=None):
    """The text on screen: one string per 16-pixel row of cells, trailing
    blanks stripped; a cell that is no glyph reads as UNKNOWN."""
    glyphs = glyphs or load_font()
    w, h, pix = read_ppm(path)
    cols, rows = w // FONT_W, h // FONT_H
    lit = bytes(1 if pix[i] > LIT else 0 for i in range(0, w * h * 3, 3))
    screen = []
    for r in range(rows):
        line = []
        for c in range(cols):
            cell = bytearray(FONT_H)
            for y in range(FONT_H):
                base = (r * FONT_H + y) * w + c * FONT_W
                bits = lit[base:base + FONT_W]
                cell[y] = sum(0x80 >> x for x in range(FONT_W) if bits[x])
            line.append(glyphs.get(bytes(cell), UNKNOWN))
        screen.append("".join(line).rstrip(" "))
    return screen


def expected_screen(text, cols, rows):
    """What a cols x rows text console shows after `text`, as fbtext.c
    draws it: lines wrap at the last column, the screen scrolls."""
    lines = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        chunks = [line[i:i + cols] for i in range(0, len(line), cols)] or [""]
        lines += chunks
    if len(lines) <= rows:
        return lines + [""] * (rows - len(lines))
    return lines[-rows:]


class Monitor:
    """QEMU's human monitor on a unix socket."""

    def __init__(self, path, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self._until_prompt()

    def _until_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("monitor closed: %r" % buf[-200:])
            buf += chunk
        return buf.decode("latin-1")

    def command(self, cmd):
        self.sock.sendall(cmd.encode() + b"\n")
        return self._until_prompt()

    def screendump(self, path):
        if os.path.exists(path):
            os.remove(path)
        out = self.command("screendump " + path)
        assert os.path.exists(path), out
        return path

    def close(self):
        self.sock.close()
