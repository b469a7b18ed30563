#!/usr/bin/python3
"""test/lib/png_stats.py: what a rendered PNG shows, for test/scripts/map_render.sh.
Standard library only (zlib): 8-bit RGB or RGBA PNGs as Chromium writes them.

    png_stats.py PNG [--xmax X] [--halves] NAME=RRGGBB:LEAST ...

Prints "W H INK DARK NAMES": the size, the pixels that are not white, the
near-black ones (borders, axes, text), then the NAMEs whose colour (within a
small tolerance) covers more than LEAST pixels left of x = X (default: all),
sorted; with --halves each as NAME-top or NAME-bottom by the half of the
picture it is seen in.
"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype in (2, 6), 'not 8-bit RGB(A)'
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    bpp = {2: 3, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev, i = bytearray(stride), 0
    for y in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield w, h, y, [(line[x], line[x + 1], line[x + 2]) for x in range(0, stride, bpp)]
        prev = line


def main():
    args = sys.argv[1:]
    path, xmax, halves, want = args[0], None, False, {}
    rest = iter(args[1:])
    for a in rest:
        if a == '--xmax':
            xmax = int(next(rest))
        elif a == '--halves':
            halves = True
        else:
            name, spec = a.split('=')
            hexc, least = spec.split(':')
            want[name] = (tuple(int(hexc[k:k + 2], 16) for k in (0, 2, 4)), int(least))
    ink = dark = 0
    seen = {}
    for w, h, y, row in pixels(path):
        part = ('-top' if y < h // 2 else '-bottom') if halves else ''
        for x, (r, g, b) in enumerate(row):
            if (r, g, b) != (255, 255, 255):
                ink += 1
            if r < 70 and g < 70 and b < 70:
                dark += 1
            if xmax is not None and x >= xmax:
                continue
            for name, ((cr, cg, cb), _) in want.items():
                if abs(r - cr) + abs(g - cg) + abs(b - cb) < 12:
                    seen[name + part] = seen.get(name + part, 0) + 1
    shown = sorted(k for k, n in seen.items() if n > want[k.rsplit('-', 1)[0] if halves else k][1])
    print(w, h, ink, dark, *shown)


main()
