"""gan_utils.plotting: grids, loss curves, GIFs and figure export basics (see test_export.py too)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from gan_utils import plotting


def test_grid_tiles_images_with_padding():
    images = np.full((6, 28, 28, 1), -1.0, "float32")  # black digits in generator range
    grid = plotting.image_grid(images, ncols=3, padding=2)
    assert grid.shape == (2 * 30 + 2, 3 * 30 + 2) and grid.dtype == np.uint8
    assert grid[2, 2] == 0 and grid[0, 0] == 255  # image black, padding white


def test_grid_reads_all_value_ranges_the_same():
    x = np.random.default_rng(0).uniform(0, 1, (4, 28, 28)).astype("float32")
    a = plotting.image_grid(x)
    b = plotting.image_grid(x * 2 - 1)
    c = plotting.image_grid(np.round(x * 255).astype(np.uint8))
    assert np.abs(a.astype(int) - b).max() <= 1 and np.abs(a.astype(int) - c).max() <= 1


def test_grid_refuses_empty_and_nan_input():
    with pytest.raises(ValueError, match="empty"):
        plotting.image_grid(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="NaN"):
        plotting.image_grid(np.full((2, 28, 28), np.nan))


def test_loss_plot_has_both_panels():
    history = {"d_loss": [1.3, 1.1], "g_loss": [0.7, 0.9], "d_real": [0.6, 0.55], "d_fake": [0.4, 0.45]}
    fig = plotting.plot_losses(history)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 3  # two curves + the 1/2 line


def test_loss_plot_explains_wrong_input():
    with pytest.raises(ValueError, match="d_loss"):
        plotting.plot_losses({"loss": [1.0]})


def test_save_figure_writes_every_format(tmp_path):
    fig = plotting.plot_grid(np.zeros((4, 28, 28)))
    paths = plotting.save_figure(fig, tmp_path / "grid")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and paths[2].read_bytes()[:4] == b"%PDF"


def test_save_figure_refuses_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unknown figure format jpg"):
        plotting.save_figure(plotting.plot_grid(np.zeros((1, 28, 28))), tmp_path / "x", formats=("jpg",))


def test_gif_has_one_frame_per_grid(tmp_path):
    from PIL import Image

    frames = [plotting.image_grid(np.full((4, 28, 28), v, "float32")) for v in (0.0, 0.5, 1.0)]
    path = plotting.save_gif(frames, tmp_path / "a.gif", labels=[1, 2, 3])
    with Image.open(path) as gif:
        assert gif.n_frames == 3


def test_gif_frames_keep_their_pixels_and_the_last_is_held_three_times_as_long(tmp_path):
    from PIL import Image, ImageSequence

    frames = [np.full((8, 8), value, np.uint8) for value in (0, 128, 255)]
    path = plotting.write_gif([plotting.encode_gif_frame(f) for f in frames], tmp_path / "a.gif", seconds_per_frame=0.2)
    with Image.open(path) as gif:
        seen = [(np.asarray(f.convert("L")), f.info["duration"]) for f in ImageSequence.Iterator(gif)]
    assert [int(a[0, 0]) for a, _ in seen] == [0, 128, 255] and all(a.shape == (16, 16) for a, _ in seen)
    assert [d for _, d in seen] == [200, 200, 600]


def test_gif_refuses_frames_of_different_sizes(tmp_path):
    blocks = [plotting.encode_gif_frame(np.zeros((8, 8), np.uint8)), plotting.encode_gif_frame(np.zeros((9, 8), np.uint8))]
    with pytest.raises(ValueError, match="same size"):
        plotting.write_gif(blocks, tmp_path / "a.gif")


# ------------------------------------------------------------------------------- animations
@pytest.fixture()
def gif(tmp_path):
    frames = [np.full((8, 8), value, np.uint8) for value in (0, 128, 255)]
    return plotting.save_gif(frames, tmp_path / "progress.gif")


def test_animation_sends_the_gif_itself_as_html_and_its_last_frame_as_png(gif):
    import base64
    import io

    from PIL import Image

    bundle = plotting.Animation(gif)._repr_mimebundle_()
    html = bundle["text/html"]
    assert html.startswith('<img src="data:image/gif;base64,')
    assert base64.b64decode(html.split(",", 1)[1].split('"', 1)[0]) == gif.read_bytes()
    still = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert still.format == "PNG" and np.asarray(still.convert("L")).min() == 255  # the last frame is white
    assert "progress.gif" in bundle["text/plain"]


def test_animation_refuses_a_missing_file_and_a_file_that_is_not_a_gif(tmp_path):
    with pytest.raises(FileNotFoundError, match="no animation at"):
        plotting.Animation(tmp_path / "missing.gif")
    (tmp_path / "x.gif").write_bytes(b"\x89PNG not a gif")
    with pytest.raises(ValueError, match="is not a GIF file"):
        plotting.Animation(tmp_path / "x.gif")


def test_colour_grids_give_a_colour_gif(tmp_path):
    from PIL import Image

    red = np.zeros((20, 20, 3), np.uint8)
    red[..., 0] = 255
    path = plotting.save_gif([red, red], tmp_path / "colour.gif", labels=[1, 2])
    with Image.open(path) as gif:
        assert tuple(gif.convert("RGB").getpixel((5, 5))) == (255, 0, 0)
