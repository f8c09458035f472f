"""Peak memory of the renditions job for the largest pictures the shop accepts.

    .venv/bin/python bench/picture_memory.py            # 40-megapixel PNG (opaque and transparent) and JPEG
    .venv/bin/python bench/picture_memory.py --megapixels 144

Each picture is drawn into a temporary folder, and each renditions job then runs, in a fresh Python
process of its own (`--draw`, `--job`; this one stays small, since a child's `ru_maxrss` starts from
its parent's resident set). The job reports its resident set after start-up (Django set up,
Pillow and sorl-thumbnail imported) and its peak (`ru_maxrss`) after making the renditions. A job
that refuses the picture says so. The figures are in docs/pictures.md.
"""

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(*arguments: str) -> str:
    """What this script prints when run again in a fresh process with `arguments`."""
    result = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout.strip().splitlines()[-1]


def megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def job(folder: str, name: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.storage import FileSystemStorage

    from storefront.pictures import renditions_make

    started = megabytes()
    try:
        renditions, _ = renditions_make(name, FileSystemStorage(location=folder))
        outcome = f"{len(renditions)} renditions"
    except ValidationError as refused:
        outcome = f"refused: {' '.join(refused.messages)}"
    print(json.dumps({"start_mb": round(started), "peak_mb": round(megabytes()), "outcome": outcome}))


def draw(folder: Path, megapixels: float, format_: str, mode: str) -> str:
    from PIL import Image, ImageDraw

    width = round(math.sqrt(megapixels * 1_000_000 * 3 / 2))
    height = int(megapixels * 1_000_000 // width)  # at most the megapixels asked for
    image = Image.new(mode, (width, height), (40, 90, 160, 255 if mode == "RGB" else 120)[: len(mode)])
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill="orange")
    name = f"{megapixels:g}mp-{mode.lower()}.{'png' if format_ == 'PNG' else 'jpg'}"
    image.save(folder / name, format=format_)
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megapixels", type=float, nargs="*", default=[40])
    parser.add_argument("--draw", nargs=4, metavar=("FOLDER", "MEGAPIXELS", "FORMAT", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--job", nargs=2, metavar=("FOLDER", "NAME"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.draw:
        folder, megapixels, format_, mode = arguments.draw
        print(draw(Path(folder), float(megapixels), format_, mode))
        return
    if arguments.job:
        job(*arguments.job)
        return
    with tempfile.TemporaryDirectory() as folder:
        for megapixels in arguments.megapixels:
            for format_, mode in (("PNG", "RGB"), ("PNG", "RGBA"), ("JPEG", "RGB")):
                name = child("--draw", folder, str(megapixels), format_, mode)
                size = (Path(folder) / name).stat().st_size
                figures = json.loads(child("--job", folder, name))
                print(
                    f"{name:<22} {size / 1_000_000:6.1f} MB file  start {figures['start_mb']:5} MB"
                    f"  peak {figures['peak_mb']:5} MB  {figures['outcome']}"
                )


if __name__ == "__main__":
    main()
