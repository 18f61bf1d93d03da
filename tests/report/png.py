"""A tiny PNG reader for the report test's screenshots: 8-bit RGB or RGBA, not interlaced
(what Chromium writes). Only the standard library: zlib does the inflating."""

import itertools
import operator
import struct
import zlib


class Image:
    def __init__(self, width, height, channels, rows):
        self.width = width
        self.height = height
        self.channels = channels  # 3 (RGB) or 4 (RGBA)
        self.rows = rows  # one bytes object per decoded row

    def pixel(self, x, y):
        row = self.rows[y]
        i = x * self.channels
        return row[i], row[i + 1], row[i + 2]


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind, line, prior, bpp):
    if kind == 0:
        return bytes(line)
    if kind == 2:  # Up: whole row at C speed
        return bytes(map(operator.and_, map(operator.add, line, prior), itertools.repeat(255)))
    if kind == 1:  # Sub: bpp interleaved running sums
        out = bytearray(len(line))
        for lane in range(bpp):
            sums = itertools.accumulate(line[lane::bpp])
            out[lane::bpp] = bytes(map(operator.and_, sums, itertools.repeat(255)))
        return bytes(out)
    out = bytearray(len(line))
    for i, v in enumerate(line):
        a = out[i - bpp] if i >= bpp else 0
        if kind == 3:
            out[i] = (v + ((a + prior[i]) >> 1)) & 255
        elif kind == 4:
            c = prior[i - bpp] if i >= bpp else 0
            out[i] = (v + _paeth(a, prior[i], c)) & 255
        else:
            raise ValueError(f"bad PNG filter type {kind}")
    return bytes(out)


def read_png(path, max_rows=None):
    """Decodes the image at `path`; with max_rows, only that many rows from the top."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError(f"{path}: no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prior = [], bytes(stride)
    for y in range(min(height, max_rows or height)):
        start = y * (stride + 1)
        prior = _unfilter(raw[start], raw[start + 1:start + 1 + stride], prior, channels)
        rows.append(prior)
    return Image(width, len(rows), channels, rows)
