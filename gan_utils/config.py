"""Every setting the project reads from the environment, read once, and the project's fixed places.

This is the only module that looks at ``os.environ``. Everything else imports the values below.

Environment variables
---------------------
``GAN_UTILS_SMOKE``
    ``1`` (or ``true``/``yes``) switches every notebook and recipe to a *smoke size*: few steps on a
    small data subset, so that CI can execute the whole series in minutes. Unset for real training.
``GAN_UTILS_MNIST``
    Path to an ``.npz`` file with ``x_train``, ``y_train``, ``x_test``, ``y_test`` (the layout of
    Keras' ``mnist.npz``). When unset, :func:`gan_utils.load_mnist` downloads MNIST with
    ``keras.datasets.mnist.load_data()`` (cached in ``~/.keras/datasets``).
``GAN_UTILS_FILES``
    Folder holding the shipped weights and figures. Defaults to the repository's ``files/``.
``GAN_UTILS_REPO_URL``
    Read by the notebooks' setup cell, not by this package: in Colab (or CI's stand-in for it) the
    cell clones the series from this address instead of :data:`REPO_URL`. CI sets it to the local
    checkout (``file://...``) so that the Colab install path runs for real on the code under test.
    It is the one setting read outside this module, because the setup cell runs before
    ``gan_utils`` is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The project's public repository: every Colab badge and setup cell is built from this one value.
REPO_URL: str = "https://github.com/gan-tutorial-series/gan-tutorials"
#: The environment variable with which the notebooks' setup cell overrides REPO_URL (CI only).
REPO_URL_VARIABLE: str = "GAN_UTILS_REPO_URL"
#: Where the setup cell clones the series in Colab.
COLAB_CHECKOUT: str = "/content/gan-tutorials"
#: The branch the Colab badges open.
REPO_BRANCH: str = "main"

#: The repository's top folder (the parent of the ``gan_utils`` package).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


#: True when ``GAN_UTILS_SMOKE`` asks for smoke-size runs.
SMOKE: bool = _flag(os.environ.get("GAN_UTILS_SMOKE"))

#: The MNIST ``.npz`` named by ``GAN_UTILS_MNIST``, or None to use Keras' download.
MNIST_PATH: Path | None = (
    Path(os.environ["GAN_UTILS_MNIST"]).expanduser() if os.environ.get("GAN_UTILS_MNIST") else None
)

#: Where shipped weights, checksums, model cards and exported figures live.
FILES_DIR: Path = Path(os.environ.get("GAN_UTILS_FILES") or REPO_ROOT / "files").expanduser()

#: Where notebooks export their figures (one folder for every figure of the series).
FIGURES_DIR: Path = FILES_DIR / "figures"


def colab_url(notebook: str) -> str:
    """Return the "Open in Colab" address of a notebook of the series.

    Example:
        >>> colab_url("02_vanilla_gan.ipynb").endswith("notebooks/02_vanilla_gan.ipynb")
        True
    """
    if not isinstance(notebook, str):
        raise TypeError(f"colab_url needs a notebook file name like '02_vanilla_gan.ipynb', got {notebook!r}.")
    if not notebook.endswith(".ipynb") or "/" in notebook:
        raise ValueError(f"colab_url needs a notebook file name ending in .ipynb (no folder), got {notebook!r}.")
    repo = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{repo}/blob/{REPO_BRANCH}/notebooks/{notebook}"
