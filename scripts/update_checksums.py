"""Rewrite files/SHA256SUMS for every shipped network under files/ (its ``.json`` and ``.weights.npz``).

Run after (re)training anything that ships:  python scripts/update_checksums.py
"""

from __future__ import annotations

from gan_utils import config
from gan_utils.pretrained import CHECKSUMS, RECORD_SUFFIX, WEIGHTS_SUFFIX, sha256


def main() -> None:
    paths = sorted(
        p
        for pattern in ("*" + RECORD_SUFFIX, "*" + WEIGHTS_SUFFIX)
        for p in config.FILES_DIR.rglob(pattern)
        if not p.name.startswith(".")
    )
    lines = [f"{sha256(p)}  {p.relative_to(config.FILES_DIR).as_posix()}" for p in paths]
    CHECKSUMS.write_text("\n".join(lines) + "\n")
    print(f"{CHECKSUMS}: {len(lines)} files")
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
