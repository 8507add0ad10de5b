"""Sign faces benchmark: 1,000 faces of mixed kinds rendered into one production-order PDF (one face per
page, true size, font embedded), and the same faces as one SVG each. Prints seconds and ms per face.

No database: the faces are made from generated names (marked synthetic, as demonstration data must be)
with the romanization engine, a third of them with a QR code.

    python bench/sign_faces_bench.py [--count 1000] [--out faces.pdf]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from gazetteer.signfaces import face_for, face_svg, faces_pdf  # noqa: E402

HEADS = [
    "太平",
    "光华",
    "西安",
    "东安",
    "爱民",
    "阳明",
    "兴隆",
    "长安",
    "新华",
    "五星",
    "江滨",
    "牡丹",
    "北山",
    "镜泊",
    "海浪",
    "青梅",
    "金桥",
    "福民",
]
TAILS = {"road_name": "路", "street": "街", "lane": "巷", "house_plate": "路", "building": "小区", "place": "村"}
KINDS = ("road_name", "street", "lane", "house_plate", "building", "unit", "household", "place")


def faces(count: int) -> list:
    made = []
    names = itertools.cycle(itertools.product(HEADS, HEADS))
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        first, second = next(names)
        chinese = f"{first}{second}{TAILS[kind]}" if kind in TAILS else ""
        number = {"house_plate": f"{index % 300 + 1}", "building": f"{index % 30 + 1}号楼"}.get(kind, "")
        number = number or {"unit": f"{index % 6 + 1}单元", "household": f"{index % 18 + 1}0{index % 4 + 1}"}.get(
            kind, ""
        )
        url = f"{settings.GAZETTEER_URL}/places/2310020000{index:010d}" if index % 3 == 0 else ""
        made.append(face_for(kind, chinese, number=number, qr_url=url, synthetic=True))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, help="keep the PDF here (default: a temporary file)")
    args = parser.parse_args()

    faces_pdf(faces(8))  # warm-up, not counted: fonts, imports, the engine's tables
    started = time.perf_counter()
    made = faces(args.count)
    built = time.perf_counter() - started

    started = time.perf_counter()
    pdf = faces_pdf(made, title="示例 SYNTHETIC production order (benchmark)")
    pdf_seconds = time.perf_counter() - started

    started = time.perf_counter()
    svg_bytes = sum(len(face_svg(face).encode()) for face in made)
    svg_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        path = args.out or Path(folder) / "faces.pdf"
        path.write_bytes(pdf)
        pages = len(PdfReader(path).pages)
    if pages != args.count:
        raise SystemExit(f"the PDF has {pages} pages for {args.count} faces")
    n = args.count
    print(f"sign faces: {n} faces ({', '.join(KINDS)}), a third with a QR code")
    size = f"{len(pdf) / 1e6:.1f} MB, {pages} pages"
    svg_size = f"{svg_bytes / n / 1000:.0f} kB/face"
    print(f"  make faces (romanization):  {built:7.2f} s  {built / n * 1000:7.2f} ms/face")
    print(f"  production-order PDF:       {pdf_seconds:7.2f} s  {pdf_seconds / n * 1000:7.2f} ms/face  ({size})")
    print(f"  SVG per face (outlines):    {svg_seconds:7.2f} s  {svg_seconds / n * 1000:7.2f} ms/face  ({svg_size})")


if __name__ == "__main__":
    main()
