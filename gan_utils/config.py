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
``TF_CPP_MIN_LOG_LEVEL``
    TensorFlow's own setting for its C++ log lines. Inside a notebook kernel, where those lines
    land in the cell outputs (and in every rendered page), importing ``gan_utils`` sets it to ``3``
    unless you set it yourself, and imports TensorFlow with its start-up messages (CUDA probes, CPU
    instruction notes) silenced: see :func:`quiet_tensorflow_in_notebooks`. Set it to ``0`` before
    importing ``gan_utils`` to see everything, for example to find out why a GPU is not used.
``GAN_UTILS_REPO_URL``
    Read by the notebooks' setup cell, not by this package: in Colab (or CI's stand-in for it) the
    cell clones the series from this address instead of :data:`REPO_URL`. CI sets it to the local
    checkout (``file://...``) so that the Colab install path runs for real on the code under test.
    It is the one setting read outside this module, because the setup cell runs before
    ``gan_utils`` is installed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
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

#: Where notebooks export what readers reuse (the real-vs-fake figure, ...): ``files/``, except at
#: smoke size, whose figures come from barely trained models and must never replace the shipped ones.
EXPORT_DIR: Path = REPO_ROOT / "build" / "smoke-exports" if SMOKE else FILES_DIR

#: Where notebooks export their figures (one folder for every figure of the series).
FIGURES_DIR: Path = EXPORT_DIR / "figures"


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


#: TensorFlow's C++ log threshold inside notebooks: 3 keeps only fatal errors (Python still raises every error).
NOTEBOOK_TF_LOG_LEVEL: str = "3"
#: True if the user chose TensorFlow's C++ log level themselves (then gan_utils leaves it alone).
TF_LOG_LEVEL_SET_BY_USER: bool = "TF_CPP_MIN_LOG_LEVEL" in os.environ


def in_notebook() -> bool:
    """True inside a Jupyter or Colab kernel, where output is kept in the notebook.

    Example:
        >>> in_notebook()  # in a terminal or a test
        False
    """
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


@contextlib.contextmanager
def _c_stderr_silenced() -> Iterator[None]:
    """Send what C and C++ code write to file descriptor 2 to /dev/null for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def started_as_command() -> bool:
    """True while ``python -m gan_utils.<module>`` imports the package (Python sets ``sys.argv[0]`` to ``-m`` then)."""
    return sys.argv[:1] == ["-m"]


def quiet_tensorflow_in_notebooks() -> None:
    """Keep TensorFlow's C++ log lines out of notebook outputs and of the command line's; do nothing elsewhere.

    In a notebook kernel or a ``python -m gan_utils.train`` run, and unless ``TF_CPP_MIN_LOG_LEVEL`` was set by the user: set it to
    :data:`NOTEBOOK_TF_LOG_LEVEL`, and if TensorFlow is not imported yet, import it (and let it look
    for devices) with file descriptor 2 silenced, because its start-up lines (CUDA probes, CPU
    instruction notes) ignore that setting. Jupyter shows those lines in the cell that imports
    TensorFlow, and a rendered page keeps them; in a terminal they stay. ``import gan_utils`` calls
    this before it imports Keras, so import ``gan_utils`` before ``keras`` or ``tensorflow``.
    """
    if TF_LOG_LEVEL_SET_BY_USER or not (in_notebook() or started_as_command()):
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = NOTEBOOK_TF_LOG_LEVEL
    if "tensorflow" in sys.modules:
        return
    with _c_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices()
