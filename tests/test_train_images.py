"""gan_utils.train --images: the command line on your own images (a folder of colour PNGs drawn here).

Every image is drawn with Pillow in the test's temporary folder; nothing is downloaded. Training runs
at smoke size for one or two epochs of a few steps: these tests check the plumbing (shapes, the run
folder, resuming, refusals), not the quality of what is learned.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import gan_utils
from gan_utils import train

SIDE = 32


def draw_shapes(folder: Path, n: int, shape: str | None = None, seed: int = 0) -> Path:
    """``n`` 32x32 colour PNGs: a circle or a square of a random colour on a random background."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        background, colour = (tuple(int(c) for c in rng.integers(0, 256, 3)) for _ in range(2))
        img = Image.new("RGB", (SIDE, SIDE), background)
        x0, y0 = (int(v) for v in rng.integers(2, 12, 2))
        size = int(rng.integers(12, 19))
        kind = shape or ("circle" if i % 2 else "square")
        draw = ImageDraw.Draw(img)
        (draw.ellipse if kind == "circle" else draw.rectangle)((x0, y0, x0 + size, y0 + size), fill=colour)
        img.save(folder / f"{kind}_{i:03d}.png")
    return folder


def run(*args: str | Path) -> int:
    return train.main([str(a) for a in args])


def refused(capsys, *args: str | Path) -> str:
    """Run the command line, expect exit code 2, return what it printed to stderr."""
    try:
        code = run(*args)
    except SystemExit as exit:  # argparse's p.error
        code = exit.code
    assert code == 2, args
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    return draw_shapes(tmp_path_factory.mktemp("shapes"), 64)


@pytest.fixture(scope="module")
def image_run(shapes, tmp_path_factory) -> Path:
    """One epoch of dcgan on the 64 shapes at 32x32x3, then resumed for a second with --resume alone."""
    out = tmp_path_factory.mktemp("run") / "shapes"
    common = ("--epochs", "1", "--batch-size", "32", "--smoke", "--quiet")
    assert run("dcgan", "--images", shapes, "--image-size", SIDE, "--channels", 3, "--output", out, *common) == 0
    first = json.loads((out / "history.json").read_text())
    assert len(first["d_loss"]) == 1
    assert run("dcgan", "--output", out, "--resume", "--epochs", "2", "--batch-size", "32", "--smoke", "--quiet") == 0
    return out


def test_a_folder_of_colour_images_trains_into_a_run_folder(image_run):
    for name in ("generator.json", "generator.weights.npz", "discriminator.json", "samples.png", "history.json",
                 "run.json", "history.csv", "checkpoint.npz", "progress.gif"):
        assert (image_run / name).is_file(), name
    spec = json.loads((image_run / "run.json").read_text())["spec"]
    assert spec["image_shape"] == [SIDE, SIDE, 3] and spec["images"] == 64 and spec["data"]["fit"] == "crop"


def test_resume_alone_reads_the_same_images_and_continues(image_run, shapes):
    history = json.loads((image_run / "history.json").read_text())
    assert len(history["d_loss"]) == 2, "epoch 1 from the first session, epoch 2 from the resumed one"
    data = json.loads((image_run / "run.json").read_text())["spec"]["data"]
    assert data == {"kind": "images", "images": str(shapes.resolve()), "image_size": SIDE, "channels": 3, "fit": "crop"}


def test_load_generator_draws_colour_images_of_the_size_trained(image_run):
    generator = gan_utils.load_generator(image_run)
    images = np.asarray(generator(gan_utils.latent_batch(generator, 6, seed=0), training=False))
    assert images.shape == (6, SIDE, SIDE, 3)
    assert -1.0 <= images.min() and images.max() <= 1.0
    with Image.open(image_run / "samples.png") as grid:
        assert grid.mode == "RGB"


def test_a_run_stopped_by_its_time_budget_says_so_and_how_to_go_on(capsys, shapes, tmp_path):
    out = tmp_path / "run"
    assert run("dcgan", "--images", shapes, "--image-size", SIDE, "--channels", 3, "--output", out,
               "--epochs", "3", "--batch-size", "32", "--time-budget", "1e-6", "--smoke", "--quiet") == 0
    printed = capsys.readouterr().out
    assert "the time budget (1e-06 s) stopped training at step 1 of 6" in printed
    assert f"to go on: python -m gan_utils.train --resume --output {out}" in printed
    assert json.loads((out / "run.json").read_text())["sessions"][-1]["ended"] == "time budget"


def test_a_run_that_finishes_its_epochs_does_not_mention_the_budget(capsys, shapes, tmp_path):
    assert run("dcgan", "--images", shapes, "--image-size", SIDE, "--channels", 3, "--output", tmp_path / "run",
               "--epochs", "1", "--batch-size", "32", "--time-budget", "3600", "--smoke", "--quiet") == 0
    assert "stopped training" not in capsys.readouterr().out


def test_cgan_takes_its_classes_from_the_sub_folders(tmp_path):
    draw_shapes(tmp_path / "shapes" / "circles", 32, "circle")
    draw_shapes(tmp_path / "shapes" / "squares", 32, "square", seed=1)
    out = tmp_path / "run"
    assert run("cgan", "--images", tmp_path / "shapes", "--image-size", SIDE, "--output", out,
               "--epochs", "1", "--batch-size", "32", "--smoke", "--quiet") == 0
    assert json.loads((out / "run.json").read_text())["spec"]["data"]["class_names"] == ["circles", "squares"]
    generator = gan_utils.load_generator(out)
    images = np.asarray(generator([gan_utils.latent_batch(generator, 2, seed=0), np.array([0, 1])], training=False))
    assert images.shape == (2, SIDE, SIDE, 3) and gan_utils.models.num_classes(generator) == 2


def test_stream_trains_the_same_run_and_resumes_in_memory(image_run, shapes, tmp_path):
    """--stream reads the images from a cache file a batch at a time: same batches, same weights, either way round."""
    out, cache = tmp_path / "streamed", tmp_path / "cache"
    common = ("--batch-size", "32", "--smoke", "--quiet")
    assert run("dcgan", "--images", shapes, "--image-size", SIDE, "--channels", 3, "--stream", "--cache-dir", cache,
               "--output", out, "--epochs", "1", *common) == 0
    assert list(cache.glob("images-*.npy")), "the decoded images went to the cache folder"
    assert run("dcgan", "--output", out, "--resume", "--epochs", "2", *common) == 0  # resumed in memory
    streamed, in_memory = (gan_utils.load_generator(d).get_weights() for d in (out, image_run))
    assert all(np.array_equal(a, b) for a, b in zip(streamed, in_memory))


def test_cgan_streams_its_classes_from_the_sub_folders(tmp_path):
    draw_shapes(tmp_path / "shapes" / "circles", 32, "circle")
    draw_shapes(tmp_path / "shapes" / "squares", 32, "square", seed=1)
    out = tmp_path / "run"
    assert run("cgan", "--images", tmp_path / "shapes", "--image-size", SIDE, "--stream", "--cache-dir", tmp_path / "cache",
               "--output", out, "--epochs", "1", "--batch-size", "32", "--smoke", "--quiet") == 0
    assert json.loads((out / "run.json").read_text())["spec"]["data"]["class_names"] == ["circles", "squares"]


# ------------------------------------------------------------------------------------ refusals
def test_cgan_on_a_folder_without_classes_is_refused(capsys, shapes, tmp_path):
    err = refused(capsys, "cgan", "--images", shapes, "--image-size", SIDE, "--output", tmp_path / "run", "--smoke")
    assert "cgan draws the class you ask for, so it needs classes" in err and "sub-folder" in err
    assert not (tmp_path / "run").exists(), "nothing is written for a refused run"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--digits", "3"], "--digits picks MNIST digit classes and cannot go with --images"),
        (["--data", "mnist.npz"], "--data is the MNIST file"),
    ],
    ids=["digits", "data"],
)
def test_mnist_only_options_are_refused_with_images(capsys, shapes, tmp_path, extra, message):
    if "--data" in extra:
        (tmp_path / "mnist.npz").write_bytes(b"")
        extra = ["--data", str(tmp_path / "mnist.npz")]
    assert message in refused(capsys, "dcgan", "--images", shapes, "--output", tmp_path / "run", *extra)


def test_the_recipe_follows_the_image_size(shapes, tmp_path):
    out = tmp_path / "run64"
    with pytest.warns(UserWarning, match="under image_size=64 pixels"):  # the 32-pixel shapes are enlarged
        assert run("dcgan", "--images", shapes, "--image-size", "64", "--output", out, "--smoke", "--epochs", "1", "--quiet") == 0
    recipe = json.loads((out / "run.json").read_text())["spec"]["recipe"]
    assert recipe["width"] == gan_utils.get_recipe("dcgan", image_size=64).width == 16
    assert gan_utils.load_generator(out).output_shape == (None, 64, 64, 3)


def test_monitor_scores_your_images_in_the_features_asked(capsys, shapes, tmp_path):
    out = tmp_path / "run"
    with pytest.warns(UserWarning, match="FID from 32 images with 64 features each is strongly biased upwards"):
        assert run("dcgan", "--images", shapes, "--image-size", SIDE, "--output", out, "--smoke", "--epochs", "2",
                   "--monitor", "1", "--features", "random", "--quiet") == 0
    printed = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if line.startswith("[QualityMonitor]")]
    assert [line.split(":")[0] for line in lines] == ["[QualityMonitor] epoch 1", "[QualityMonitor] epoch 2"]
    # 64 images: 32 generated against 32 real, and the other 32 real give the floor
    assert all("FID (random features (stand-in, dim 64, seed 0))" in line and "real-vs-real floor" in line
               and "[n=32]" in line and "class KL" not in line for line in lines), lines
    history = json.loads((out / "history.json").read_text())
    assert len(history["fid"]) == 2 and all(np.isfinite(history["fid"])) and "class_kl" not in history


def test_monitor_on_your_images_says_when_inception_cannot_be_loaded(capsys, shapes, tmp_path, monkeypatch):
    from gan_utils import features

    def offline(*args, **kwargs):
        raise features._unavailable("imagenet", OSError("no route to storage.googleapis.com"))

    monkeypatch.setattr(features, "inception_extractor", offline)
    with pytest.warns(UserWarning, match="FID from 32 images"):
        assert run("dcgan", "--images", shapes, "--image-size", SIDE, "--output", tmp_path / "run", "--smoke",
                   "--epochs", "1", "--monitor", "1", "--quiet") == 0
    printed = capsys.readouterr().out
    assert "InceptionV3's ImageNet weights could not be loaded (no route to storage.googleapis.com); using random features" in printed
    assert "[QualityMonitor] epoch 1: FID (random features" in printed


def test_features_without_monitor_or_without_images_are_refused(capsys, shapes, tmp_path):
    assert "--features names what --monitor scores in" in refused(
        capsys, "dcgan", "--images", shapes, "--output", tmp_path / "run", "--features", "random"
    )
    assert "--features go with --images" in refused(capsys, "dcgan", "--output", tmp_path / "run", "--monitor", "1", "--features", "random")


def test_the_mlp_gan_is_refused_with_images(capsys, shapes, tmp_path):
    assert "vanilla is the MLP of lesson 02" in refused(capsys, "vanilla", "--images", shapes, "--output", tmp_path / "run")


def test_image_options_without_images_are_refused(capsys, tmp_path):
    assert "--image-size, --channels go with --images" in refused(
        capsys, "dcgan", "--image-size", "32", "--channels", "3", "--output", tmp_path / "run"
    )


def test_a_size_the_networks_cannot_make_is_refused_with_those_they_can(capsys, shapes, tmp_path):
    err = refused(capsys, "dcgan", "--images", shapes, "--image-size", "48", "--output", tmp_path / "run")
    assert "invalid choice: 48 (choose from 28, 32, 64, 128)" in err


def test_a_missing_folder_is_refused_by_name(capsys, tmp_path):
    err = refused(capsys, "dcgan", "--images", tmp_path / "nowhere", "--output", tmp_path / "run", "--smoke")
    assert "no file or folder at" in err and "nowhere" in err


def test_fewer_images_than_a_batch_are_refused(capsys, tmp_path):
    few = draw_shapes(tmp_path / "few", 8)
    err = refused(capsys, "dcgan", "--images", few, "--image-size", SIDE, "--output", tmp_path / "run", "--smoke")
    assert "gave 8 images, fewer than one batch of 64: pass --batch-size 8 or less" in err


def test_resume_with_other_images_settings_is_refused(capsys, tmp_path, shapes):
    out = tmp_path / "run"
    common = ("--epochs", "1", "--batch-size", "32", "--smoke", "--quiet", "--time-budget", "1e-6")
    assert run("dcgan", "--images", shapes, "--image-size", SIDE, "--channels", 3, "--output", out, *common) == 0
    err = refused(capsys, "dcgan", "--output", out, "--resume", "--image-size", "64")
    assert f"--image-size 64 contradicts the run in {out} (recorded: 32): leave --image-size out to resume" in err
    err = refused(capsys, "dcgan", "--output", out, "--resume", "--digits", "3")
    assert f"--digits 3 contradicts the run in {out} (recorded: none)" in err


def test_resuming_an_mnist_run_with_images_is_refused(capsys, tmp_path, shapes):
    out = tmp_path / "run"
    assert run("dcgan", "--output", out, "--subset", "64", "--batch-size", "32", "--steps", "1", "--smoke", "--quiet") == 0
    assert "--images" in refused(capsys, "dcgan", "--images", shapes, "--output", out, "--resume")


def test_the_colour_digits_script_makes_a_labelled_colour_folder(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import make_colour_digits  # scripts/ is not a package

    assert make_colour_digits.main(["--output", str(tmp_path / "digits"), "--count", "40"]) == 0
    x, y, names = gan_utils.load_images(tmp_path / "digits", 32, 3, with_labels=True)
    assert x.shape == (40, 32, 32, 3) and names == [str(d) for d in range(10)] and len(set(y.tolist())) > 5
    assert np.abs(x[..., 0] - x[..., 1]).max() > 0.5, "colour, not grey"
