"""Exporting figures: save_real_vs_fake and save_figure write repeatable files or explain what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gan_utils import plotting


def batch(seed: int, n: int = 16, shape: tuple[int, ...] = (28, 28, 1)) -> np.ndarray:
    """Images in the generator's range [-1, 1]."""
    return np.random.default_rng(seed).uniform(-1, 1, (n,) + shape).astype("float32")


# ------------------------------------------------------------------------------- what is written
def test_real_vs_fake_writes_the_comparison_and_each_grid_in_every_format(tmp_path):
    written = plotting.save_real_vs_fake(batch(0), batch(1), tmp_path / "real_vs_fake")
    assert set(written) == {"comparison", "real", "fake"}
    assert [p.name for p in written["comparison"]] == ["real_vs_fake.png", "real_vs_fake.svg", "real_vs_fake.pdf"]
    assert [p.name for p in written["real"]] == ["real.png", "real.svg", "real.pdf"]
    assert [p.name for p in written["fake"]] == ["fake.png", "fake.svg", "fake.pdf"]
    assert all(p.is_file() and p.stat().st_size > 0 for paths in written.values() for p in paths)


def test_comparison_has_two_titled_grids_without_axes():
    fig = plotting.real_vs_fake_figure(batch(0), batch(1))
    assert [ax.get_title() for ax in fig.axes] == ["Real", "Fake"]
    assert not any(ax.axison for ax in fig.axes)
    left, right = (ax.images[0].get_array().shape for ax in fig.axes)
    assert left == right  # equal grids


def test_comparison_is_sized_for_a_slide_or_a_paper(tmp_path):
    (png,) = plotting.save_real_vs_fake(batch(0, 32), batch(1, 32), tmp_path / "cmp", formats=("png",))["comparison"]
    with Image.open(png) as image:
        assert image.size[0] == 1400  # 7 inches at 200 dpi: a full paper width or half a slide
        assert 350 < image.size[1] < 500  # four rows of eight: no empty band


def test_grids_accept_uint8_and_both_float_ranges(tmp_path):
    x = batch(0)
    as_uint8 = np.round((x + 1) * 127.5).astype(np.uint8)
    a = plotting.save_real_vs_fake(x, x, tmp_path / "a" / "cmp", formats=("png",))
    b = plotting.save_real_vs_fake(as_uint8, (x + 1) / 2, tmp_path / "b" / "cmp", formats=("png",))
    assert a["real"][0].read_bytes() == b["real"][0].read_bytes()


# ------------------------------------------------------------------------------- repeatable bytes
def test_same_inputs_give_identical_png_bytes(tmp_path):
    a = plotting.save_real_vs_fake(batch(0), batch(1), tmp_path / "a" / "cmp")
    b = plotting.save_real_vs_fake(batch(0), batch(1), tmp_path / "b" / "cmp")
    for key in a:
        for p, q in zip(a[key], b[key]):
            assert p.read_bytes() == q.read_bytes(), f"{p.name} differs between two identical calls"


def test_different_inputs_give_different_bytes(tmp_path):
    a = plotting.save_real_vs_fake(batch(0), batch(1), tmp_path / "a" / "cmp", formats=("png",))
    b = plotting.save_real_vs_fake(batch(0), batch(2), tmp_path / "b" / "cmp", formats=("png",))
    assert a["comparison"][0].read_bytes() != b["comparison"][0].read_bytes()
    assert a["real"][0].read_bytes() == b["real"][0].read_bytes()


def test_png_carries_no_date_or_version(tmp_path):
    (png,) = plotting.save_figure(plotting.plot_grid(batch(0)), tmp_path / "grid", formats=("png",))
    with Image.open(png) as image:
        assert "Software" not in image.info and "Creation Time" not in image.info


def test_save_figure_rewrites_identical_bytes(tmp_path):
    fig = plotting.plot_grid(batch(3), title="samples")
    first = [p.read_bytes() for p in plotting.save_figure(fig, tmp_path / "grid")]
    second = [p.read_bytes() for p in plotting.save_figure(fig, tmp_path / "grid")]
    assert first == second


def test_png_bytes_match_the_saved_png(tmp_path):
    fig = plotting.plot_grid(batch(4))
    (png,) = plotting.save_figure(fig, tmp_path / "grid", formats=("png",), dpi=100)
    assert plotting.png_bytes(fig, dpi=100) == png.read_bytes()


# ------------------------------------------------------------------------------- clear errors
def test_unknown_format_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="unknown figure format jpg: choose from png, svg, pdf"):
        plotting.save_real_vs_fake(batch(0), batch(1), tmp_path / "cmp", formats=("png", "jpg"))
    assert not list(tmp_path.iterdir())


def test_no_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="formats is empty"):
        plotting.save_real_vs_fake(batch(0), batch(1), tmp_path / "cmp", formats=())


@pytest.mark.parametrize("real, fake, which", [
    (np.zeros((0, 28, 28)), batch(1), "real"),
    (batch(0), np.zeros((0, 28, 28)), "fake"),
    (batch(0), [], "fake"),
])
def test_empty_inputs_are_refused(tmp_path, real, fake, which):
    with pytest.raises(ValueError, match=f"{which} is empty"):
        plotting.save_real_vs_fake(real, fake, tmp_path / "cmp")


def test_mismatched_image_shapes_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"real images have shape \(28, 28\) but fake ones \(32, 32\)"):
        plotting.save_real_vs_fake(batch(0), batch(1, shape=(32, 32, 1)), tmp_path / "cmp")


def test_mismatched_counts_are_refused(tmp_path):
    with pytest.raises(ValueError, match="16 real and 8 fake"):
        plotting.save_real_vs_fake(batch(0), batch(1, n=8), tmp_path / "cmp")


def test_nan_images_are_refused(tmp_path):
    with pytest.raises(ValueError, match="fake contains NaN"):
        plotting.save_real_vs_fake(batch(0), np.full((16, 28, 28), np.nan), tmp_path / "cmp")


def test_unwritable_path_is_explained(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(PermissionError, match="cannot create the folder"):
        plotting.save_real_vs_fake(batch(0), batch(1), blocker / "cmp")


def test_read_only_folder_is_explained(tmp_path, monkeypatch):
    # A read-only folder stays writable for root (as in CI), so the folder is made read-only as far
    # as the permission check can tell: what is tested is that the refusal is explained.
    folder = tmp_path / "locked"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))
    with pytest.raises(PermissionError, match="cannot write into"):
        plotting.save_real_vs_fake(batch(0), batch(1), folder / "cmp")


@pytest.mark.parametrize("name", ["real", "fake.png"])
def test_comparison_named_like_a_grid_is_refused(tmp_path, name):
    with pytest.raises(ValueError, match="would be overwritten"):
        plotting.save_real_vs_fake(batch(0), batch(1), tmp_path / name)


def test_save_figure_refuses_what_is_not_a_figure(tmp_path):
    with pytest.raises(TypeError, match="matplotlib Figure"):
        plotting.save_figure(np.zeros((28, 28)), tmp_path / "x")


def test_failed_save_leaves_no_temporary_file(tmp_path, monkeypatch):
    fig = plotting.plot_grid(batch(0))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        plotting.save_figure(fig, tmp_path / "grid", formats=("png",))
    assert not list(tmp_path.iterdir())
