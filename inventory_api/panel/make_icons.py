"""Draw the panel's icons (PNG) with nothing but zlib: `python -m inventory_api.panel.make_icons`.

The icon is three stacked boxes on a blue square (stock on a shelf). The
PNGs are committed; run this again only to change the drawing. Shapes are
given on a 16 × 16 grid and scaled, so every size shows the same picture.
"""

import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).parent / "static" / "icons"
SIZES = {"icon-192.png": 192, "icon-512.png": 512, "favicon-32.png": 32}

BACKGROUND = (23, 77, 140)
BOX = (255, 255, 255)
TAPE = (244, 180, 0)
# (x0, y0, x1, y1, colour) on the 16-unit grid, painted in order
SHAPES = [
    (3, 9, 8, 13, BOX), (8.5, 9, 13.5, 13, BOX), (5.75, 4.5, 10.75, 8.5, BOX),
    (5, 9, 6, 10.5, TAPE), (10.5, 9, 11.5, 10.5, TAPE), (7.75, 4.5, 8.75, 6, TAPE),
]


def pixels(size):
    """Rows of RGB tuples of the icon at `size` × `size`."""
    scale = size / 16
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            colour = BACKGROUND
            for x0, y0, x1, y1, fill in SHAPES:
                if x0 * scale <= x + 0.5 < x1 * scale and y0 * scale <= y + 0.5 < y1 * scale:
                    colour = fill
            row.append(colour)
        rows.append(row)
    return rows


def png(rows):
    """The bytes of an 8-bit RGB PNG holding `rows`."""
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(c for pixel in row for c in pixel) for row in rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        (ICONS / name).write_bytes(png(pixels(size)))
        print(f"wrote {ICONS / name}")


if __name__ == "__main__":
    main()
