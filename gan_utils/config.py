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
"""

from __future__ import annotations

import os
from pathlib import Path

#: The project's public repository: every Colab badge and setup cell is built from this one value.
REPO_URL: str = "https://github.com/gan-tutorial-series/gan-tutorials"
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
