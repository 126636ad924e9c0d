"""A stand-in for Colab's ``google.colab`` package, for CI's "colab" stage only.

Colab's kernel imports ``google.colab`` before the first cell runs, and the notebooks' setup cell
checks ``"google.colab" in sys.modules`` to decide whether to clone and install the series. This
module has nothing else of Colab's API but ``drive`` (``drive.py``: ``mount`` makes a local folder
stand in for the learner's Google Drive): it makes that check true, so that the clone-and-install
path runs for real. ``google`` stays a namespace package (no ``google/__init__.py`` here), so
``google.protobuf`` still imports from site-packages beside it.
"""

IN_CI_STAND_IN = True
