"""The public API: every name in gan_utils.__all__ exists, is documented and typed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import gan_utils

PUBLIC = sorted(gan_utils.__all__)


def test_all_lists_the_foundation_api():
    needed = {"load_mnist", "make_dataset", "build_mlp_generator", "build_mlp_discriminator",
              "build_dcgan_generator", "build_dcgan_discriminator", "GAN", "fit_gan", "SampleGrid",
              "GifWriter", "Checkpoint", "image_grid", "plot_losses", "show_samples", "save_figure",
              "load_generator", "set_seed"}
    assert needed <= set(gan_utils.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_exists_and_has_a_docstring(name):
    obj = getattr(gan_utils, name)
    if callable(obj) or inspect.isclass(obj):
        assert inspect.getdoc(obj), f"{name} has no docstring"


@pytest.mark.parametrize("name", [n for n in PUBLIC if inspect.isfunction(getattr(gan_utils, n))])
def test_public_function_has_type_hints(name):
    fn = getattr(gan_utils, name)
    sig = inspect.signature(fn)
    missing = [p for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    assert not missing, f"{name}: parameters without type hints: {[p.name for p in missing]}"
    assert sig.return_annotation is not inspect.Signature.empty, f"{name} has no return type"


def _modules():
    for info in pkgutil.iter_modules(gan_utils.__path__):
        yield importlib.import_module(f"gan_utils.{info.name}")


def test_only_config_reads_the_environment():
    offenders = [m.__name__ for m in _modules() if m.__name__ != "gan_utils.config" and "os.environ[" in inspect.getsource(m).replace("os.environ[\"PYTHONHASHSEED\"] =", "")]
    offenders += [m.__name__ for m in _modules() if m.__name__ != "gan_utils.config" and "os.environ.get" in inspect.getsource(m)]
    assert not offenders, offenders


def test_lower_rooms_never_import_higher_ones():
    rules = {
        "gan_utils.config": {"data", "models", "plotting", "training", "pretrained", "widgets", "metrics", "recipes", "train"},
        "gan_utils.models": {"training", "plotting", "widgets", "metrics", "recipes", "train", "pretrained"},
        "gan_utils.plotting": {"widgets", "training", "metrics", "recipes", "train"},
        "gan_utils.data": {"models", "training", "widgets", "metrics", "recipes", "train"},
        "gan_utils.images": {"models", "training", "widgets", "metrics", "recipes", "train"},
        "gan_utils.training": {"widgets", "recipes", "train"},
        "gan_utils.features": {"data", "images", "models", "training", "plotting", "widgets", "playground", "recipes", "train"},
        "gan_utils.colour_digits": {"models", "training", "widgets", "metrics", "recipes", "train", "plotting"},
        "gan_utils.lessons": {"recipes", "train", "fit", "training", "widgets", "metrics", "plotting", "pretrained"},
        "gan_utils.augment": {"config", "data", "models", "losses", "gan", "training", "plotting", "metrics", "recipes", "train"},
    }
    for module, forbidden in rules.items():
        source = inspect.getsource(importlib.import_module(module))
        for room in forbidden:
            assert f"from gan_utils.{room} import" not in source and f"from gan_utils import {room}" not in source, (module, room)
