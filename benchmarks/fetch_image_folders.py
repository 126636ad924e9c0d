"""Fetch the two real colour-image folders the lesson-07 measurements use (issue 27), from npm.

    python benchmarks/fetch_image_folders.py build/image_folders

Both are emoji artwork drawn by others and published on the npm registry by the
``emoji-datasource`` project (MIT licence; the artwork's own licences are in each package's
README): 64x64 PNGs with transparency.

* ``animals_food/``: the 290 Apple emoji of the categories "Animals & Nature" and "Food & Drink"
  (``emoji-datasource-apple``), a folder of a few hundred related pictures;
* ``google_all/``: all 3,786 Google emoji (``emoji-datasource-google``), faces, people, flags,
  objects: a few thousand varied pictures.

It runs ``npm pack`` (npm must be installed; nothing is installed into a project), unpacks only the
64-pixel images into the folder given, and leaves the two ``.tgz`` files in its ``_downloads``.
The folders are never committed: ``build/`` is ignored by git. Re-running skips what is there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "16.0.0"
FOLDERS = {
    "animals_food": ("apple", {"Animals & Nature", "Food & Drink"}),
    "google_all": ("google", None),  # None: every image of the set
}


def fetch(vendor: str, downloads: Path) -> Path:
    """The ``.tgz`` of ``emoji-datasource-VENDOR`` in ``downloads`` (packed by npm unless already there)."""
    name = f"emoji-datasource-{vendor}-{VERSION}.tgz"
    tgz = downloads / name
    if not tgz.is_file():
        downloads.mkdir(parents=True, exist_ok=True)
        if shutil.which("npm") is None:
            sys.exit("npm is not installed: install Node.js (it brings npm), or apt-get install npm, then run this again.")
        subprocess.run(["npm", "pack", f"emoji-datasource-{vendor}@{VERSION}"], cwd=downloads, check=True)
    return tgz


def unpack(tgz: Path, vendor: str, categories: set[str] | None, target: Path) -> int:
    """Unpack the 64-pixel PNGs of ``categories`` (all if None) into ``target``; returns how many."""
    with tarfile.open(tgz) as tar:
        index = json.load(tar.extractfile("package/emoji.json"))
        wanted = {e["image"] for e in index if e.get(f"has_img_{vendor}") and (categories is None or e["category"] in categories)}
        if categories is None:  # every 64-pixel image, skin tones included
            members = [m for m in tar.getmembers() if m.name.startswith(f"package/img/{vendor}/64/") and m.name.endswith(".png")]
        else:
            members = [m for m in tar.getmembers() if m.name.startswith(f"package/img/{vendor}/64/") and Path(m.name).name in wanted]
        target.mkdir(parents=True, exist_ok=True)
        for m in members:
            out = target / Path(m.name).name
            if not out.exists():
                out.write_bytes(tar.extractfile(m).read())
    return len(members)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", default="build/image_folders", help="where the folders go (default: build/image_folders)")
    args = parser.parse_args(argv)
    root = Path(args.directory)
    for folder, (vendor, categories) in FOLDERS.items():
        n = unpack(fetch(vendor, root / "_downloads"), vendor, categories, root / folder)
        print(f"{root / folder}: {n} images (emoji-datasource-{vendor} {VERSION})")


if __name__ == "__main__":
    main()
