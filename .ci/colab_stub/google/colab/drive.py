"""A stand-in for ``google.colab.drive``, for CI's "colab" stage only.

Colab's ``drive.mount(mountpoint)`` asks the learner for access, then shows their Google Drive at
``mountpoint/MyDrive``, where files outlive the runtime. Here ``mount`` makes that folder on the
local disk and prints Colab's line, so that a notebook's Drive cell runs as in Colab and writes its
run folder under ``/content/drive/MyDrive``, where ``.ci/colab`` checks for it.
"""

from __future__ import annotations

import os


def mount(mountpoint: str, force_remount: bool = False, timeout_ms: int = 120_000, readonly: bool = False) -> None:
    """Make ``mountpoint/MyDrive`` (a local folder standing in for the learner's Drive) and say so as Colab does."""
    os.makedirs(os.path.join(mountpoint, "MyDrive"), exist_ok=True)
    print(f"Mounted at {mountpoint}")
