"""gan_utils.images: your own images (folders, zips, lists of files, Keras data sets), in memory and streamed.

Every image here is drawn with Pillow in the test's temporary folder; nothing is downloaded (the
Keras data sets other than MNIST are stood in for by small arrays).
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image, features

import gan_utils
from gan_utils import images as images_module
from gan_utils import image_dataset, image_stream, load_images, load_mnist, make_dataset

WEBP = features.check("webp")
RED, GREEN, BLUE, WHITE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)


# ------------------------------------------------------------------------------------ helpers
def save(img: Image.Image, path: Path, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, **kwargs)
    return path


def solid(colour, size=(24, 24), mode="RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def halves(size=(40, 20), first=BLACK, second=WHITE, vertical=True) -> Image.Image:
    """Left half ``first``, right half ``second`` (or top and bottom with vertical=False)."""
    img = Image.new("RGB", size, second)
    w, h = size
    img.paste(first, (0, 0, w // 2, h) if vertical else (0, 0, w, h // 2))
    return img


def pixel(x: np.ndarray) -> list[int]:
    """The centre pixel of a [-1, 1] image as 0-255 values."""
    return np.round((x[x.shape[0] // 2, x.shape[1] // 2] + 1) * 127.5).astype(int).tolist()


def truncated_jpeg(path: Path) -> Path:
    save(solid(RED, (64, 48)), path, format="JPEG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def gif_of_two_frames(path: Path, first=RED, second=BLUE) -> Path:
    frames = [solid(first), solid(second)]
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def make_zoo(folder: Path) -> list[str]:
    """One image of every kind load_images reads, of mixed sizes and modes; returns their names."""
    save(solid(RED, (30, 20)), folder / "rgb.png")
    save(solid(GREEN, (24, 32)), folder / "photo.JPG", format="JPEG", quality=95)
    gif_of_two_frames(folder / "anim.gif")
    save(solid(BLUE, (20, 20)), folder / "pic.bmp")
    if WEBP:
        save(solid(RED, (20, 20)), folder / "pic.webp", lossless=True)
    save(Image.new("RGBA", (20, 20), (0, 0, 0, 0)), folder / "transparent.png")
    palette = Image.new("P", (20, 20), 1)
    palette.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)
    save(palette, folder / "palette.png")
    save(Image.fromarray(np.full((20, 20), 65535, np.uint16)), folder / "grey16.png")
    save(Image.new("CMYK", (20, 20), (0, 255, 0, 0)), folder / "cmyk.jpg", format="JPEG", quality=95)
    save(solid(128, (20, 20), "L"), folder / "nested" / "deeper" / "grey.png")
    return sorted(str(p.relative_to(folder).as_posix()) for p in folder.rglob("*") if p.is_file())


def make_classes(folder: Path, per_class: int = 4) -> Path:
    """flowers/roses (red shades) and flowers/tulips (blue shades, one in a nested folder)."""
    for i in range(per_class):
        save(solid((255 - 10 * i, 0, 0)), folder / "roses" / f"r{i}.png")
        save(solid((0, 0, 255 - 10 * i)), folder / "tulips" / ("deep" if i == 0 else "") / f"t{i}.png")
    return folder


def zip_folder(folder: Path, path: Path, *, top: str | None = None, extra: dict[str, bytes] | None = None) -> Path:
    """Zip ``folder``'s files, under the folder name ``top`` if given (as ``zip -r top.zip top`` does)."""
    with zipfile.ZipFile(path, "w") as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                name = f.relative_to(folder).as_posix()
                z.write(f, f"{top}/{name}" if top else name)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def numbered(folder: Path, n: int) -> Path:
    """n images of distinct grey levels 10, 20, ... named 00.png, 01.png, ..."""
    for i in range(n):
        save(solid(10 * (i + 1), (16, 16), "L"), folder / f"{i:02d}.png")
    return folder


def levels(x: np.ndarray) -> list[int]:
    """The grey level of each uniform image of a batch."""
    return np.round((x[:, 0, 0, 0] + 1) * 127.5).astype(int).tolist()


@pytest.fixture()
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ------------------------------------------------------------------------------ what is read
def test_every_format_and_mode_loads_as_square_images_in_minus_one_to_one(tmp_path, no_warnings):
    names = make_zoo(tmp_path / "zoo")
    x = load_images(tmp_path / "zoo", image_size=16)
    assert x.shape == (len(names), 16, 16, 3) and x.dtype == np.float32
    assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0


def test_images_come_in_the_order_of_their_paths(tmp_path, no_warnings):
    names = make_zoo(tmp_path / "zoo")
    x = load_images(tmp_path / "zoo", image_size=16)
    colours = dict(zip(names, (pixel(img) for img in x)))
    assert names[0] == "anim.gif" and names[-1] == "transparent.png" and "nested/deeper/grey.png" in names
    assert colours["rgb.png"] == list(RED) and colours["pic.bmp"] == list(BLUE)
    assert colours["nested/deeper/grey.png"] == [128, 128, 128]


def test_a_gif_gives_its_first_frame(tmp_path, no_warnings):
    x = load_images([gif_of_two_frames(tmp_path / "anim.gif", RED, BLUE)], image_size=8)
    assert pixel(x[0]) == list(RED)


def test_transparency_is_laid_on_white(tmp_path, no_warnings):
    save(Image.new("RGBA", (16, 16), (0, 0, 0, 0)), tmp_path / "clear.png")
    save(Image.new("RGBA", (16, 16), (255, 0, 0, 128)), tmp_path / "half.png")
    save(Image.new("LA", (16, 16), (0, 0)), tmp_path / "grey_clear.png")
    clear, grey_clear, half = load_images(tmp_path, image_size=16)
    assert float(clear.min()) == 1.0 and float(grey_clear.min()) == 1.0
    assert pixel(half) == [255, 127, 127]  # red at alpha 128/255 over white


def test_palette_images_give_their_colours(tmp_path, no_warnings):
    img = Image.new("P", (16, 16), 1)
    img.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)
    x = load_images([save(img, tmp_path / "p.png")], image_size=16)
    assert pixel(x[0]) == list(GREEN)


def test_palette_transparency_is_laid_on_white(tmp_path, no_warnings):
    img = Image.new("P", (16, 16), 1)
    img.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)
    x = load_images([save(img, tmp_path / "p.png", transparency=1)], image_size=16)
    assert float(x.min()) == 1.0


def test_16_bit_grey_is_scaled_to_8_bits(tmp_path, no_warnings):
    ramp = np.array([[0, 128 * 257, 65535, 65535]], np.uint16).repeat(4, axis=0)
    x = load_images([save(Image.fromarray(ramp), tmp_path / "grey16.png")], image_size=4, channels=1)
    assert np.round((x[0, 0, :, 0] + 1) * 127.5).astype(int).tolist() == [0, 128, 255, 255]


def test_a_cmyk_jpeg_becomes_rgb(tmp_path, no_warnings):
    path = save(Image.new("CMYK", (16, 16), (0, 255, 0, 0)), tmp_path / "magenta.jpg", format="JPEG", quality=95)
    r, g, b = pixel(load_images([path], image_size=16)[0])
    assert r > 240 and g < 15 and b > 240


def test_grey_becomes_colour_and_colour_becomes_grey(tmp_path, no_warnings):
    grey = load_images([save(solid(100, mode="L"), tmp_path / "grey.png")], image_size=8, channels=3)
    assert grey.shape == (1, 8, 8, 3) and pixel(grey[0]) == [100, 100, 100]
    red = load_images([save(solid(RED), tmp_path / "red.png")], image_size=8, channels=1)
    assert red.shape == (1, 8, 8, 1) and pixel(red[0]) == [76]  # 0.299 * 255: TensorFlow's luma weights


def test_phone_photos_are_turned_upright(tmp_path, no_warnings):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    path = save(halves((40, 20), BLACK, WHITE), tmp_path / "phone.jpg", format="JPEG", quality=95, exif=exif.tobytes())
    x = load_images([path], image_size=16, channels=1)[0, :, :, 0]
    assert (x[:6] < -0.9).all() and (x[10:] > 0.9).all()  # the black half is now on top


# -------------------------------------------------------------------------- making it square
def test_crop_keeps_the_centre_of_a_wide_image(tmp_path, no_warnings):
    x = load_images([save(halves((40, 20)), tmp_path / "wide.png")], image_size=16)[0]
    # The centre 20x20 of the 40x20 image: its left half black, its right half white.
    assert (x[:, :7] == -1).all() and (x[:, 9:] == 1).all()
    assert abs(float(x.mean())) < 0.05


def test_crop_keeps_the_centre_of_a_tall_image(tmp_path, no_warnings):
    tall = halves((20, 40), BLACK, WHITE, vertical=False)
    x = load_images([save(tall, tmp_path / "tall.png")], image_size=16)[0]
    assert (x[:7] == -1).all() and (x[9:] == 1).all()


def test_crop_cuts_off_what_lies_outside_the_centre(tmp_path, no_warnings):
    img = solid(WHITE, (60, 20))
    img.paste(BLACK, (0, 0, 20, 20))  # the left third is black, outside the centre 20x20
    x = load_images([save(img, tmp_path / "wide.png")], image_size=10)
    assert (x == 1).all()


def test_pad_keeps_everything_and_adds_black_bars(tmp_path, no_warnings):
    x = load_images([save(solid(WHITE, (40, 20)), tmp_path / "wide.png")], image_size=16, fit="pad")[0]
    assert (x[:3] == -1).all() and (x[13:] == -1).all()  # bars above and below
    assert (x[5:11] == 1).all()  # the whole image, scaled to 16x8, in the middle


def test_an_image_of_the_size_asked_is_not_resampled(tmp_path, no_warnings):
    noise = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    x = load_images([save(Image.fromarray(noise), tmp_path / "noise.png")], image_size=16)[0]
    assert np.array_equal(np.round((x + 1) * 127.5).astype(np.uint8), noise)


# ------------------------------------------------------------------------- folders and labels
def test_subfolders_are_classes_sorted_by_name(tmp_path, no_warnings):
    x, y, names = load_images(make_classes(tmp_path / "flowers"), image_size=8, with_labels=True)
    assert names == ["roses", "tulips"] and y.dtype == np.int64
    assert y.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]  # tulips/deep/t0.png counts as a tulip
    assert all(pixel(img)[0] > 200 for img in x[:4]) and all(pixel(img)[2] > 200 for img in x[4:])


def test_a_folder_holding_only_one_folder_is_looked_through(tmp_path, no_warnings):
    make_classes(tmp_path / "download" / "flower_photos")
    _, y, names = load_images(tmp_path / "download", image_size=8, with_labels=True)
    assert names == ["roses", "tulips"] and len(y) == 8


def test_hidden_files_and_folders_are_left_out(tmp_path, no_warnings):
    numbered(tmp_path / "data", 2)
    save(solid(RED), tmp_path / "data" / ".ipynb_checkpoints" / "00-checkpoint.png")
    (tmp_path / "data" / "._00.png").write_bytes(b"macOS resource fork, not an image")
    assert levels(load_images(tmp_path / "data", image_size=8, channels=1)) == [10, 20]  # and no warning


def test_images_beside_class_folders_load_without_labels(tmp_path, no_warnings):
    make_classes(tmp_path / "flowers")
    save(solid(RED), tmp_path / "flowers" / "stray.png")
    assert len(load_images(tmp_path / "flowers", image_size=8)) == 9


def test_a_zip_gives_what_its_folder_gives(tmp_path, no_warnings):
    folder = make_classes(tmp_path / "flowers")
    junk = {"__MACOSX/flowers/roses/._r0.png": b"\x00\x05\x16\x07 resource fork"}
    archive = zip_folder(folder, tmp_path / "flowers.zip", top="flowers", extra=junk)
    x_dir, y_dir, names_dir = load_images(folder, image_size=8, with_labels=True)
    x_zip, y_zip, names_zip = load_images(archive, image_size=8, with_labels=True)
    assert np.array_equal(x_zip, x_dir) and np.array_equal(y_zip, y_dir) and names_zip == names_dir


def test_a_zip_of_the_folder_contents_gives_the_same_classes(tmp_path, no_warnings):
    folder = make_classes(tmp_path / "flowers")
    _, y, names = load_images(zip_folder(folder, tmp_path / "contents.zip"), image_size=8, with_labels=True)
    assert names == ["roses", "tulips"] and y.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]


def test_a_list_of_files_keeps_its_order(tmp_path, no_warnings):
    numbered(tmp_path, 3)
    x = load_images([tmp_path / "02.png", str(tmp_path / "00.png")], image_size=8, channels=1)
    assert levels(x) == [30, 10]


def test_a_single_image_file_is_a_list_of_one(tmp_path, no_warnings):
    assert load_images(save(solid(RED), tmp_path / "one.png"), image_size=8).shape == (1, 8, 8, 3)


def test_subset_is_seeded_and_sized(tmp_path, no_warnings):
    numbered(tmp_path / "data", 12)
    a = load_images(tmp_path / "data", 8, 1, subset=5, seed=1)
    b = load_images(tmp_path / "data", 8, 1, subset=5, seed=1)
    c = load_images(tmp_path / "data", 8, 1, subset=5, seed=2)
    assert len(a) == 5 and np.array_equal(a, b) and not np.array_equal(a, c)
    assert levels(a) == sorted(levels(a))  # a sample, still in path order


def test_subset_replaces_unreadable_files(tmp_path):
    numbered(tmp_path / "data", 5)
    (tmp_path / "data" / "03.png").write_text("not an image")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # whether 03.png is drawn, and warned about, depends on the seed
        for seed in range(4):
            assert len(load_images(tmp_path / "data", 8, 1, subset=4, seed=seed)) == 4


# --------------------------------------------------------------------------- Keras data sets
def test_mnist_by_name_is_load_mnist(no_warnings):
    x = load_images("mnist", image_size=28, channels=1)
    assert np.array_equal(x, load_mnist()[0])  # read through GAN_UTILS_MNIST when it is set


def test_mnist_by_name_with_subset_and_labels_is_load_mnist(no_warnings):
    x, y, names = load_images("mnist", 28, 1, subset=300, seed=4, with_labels=True)
    x_ref, y_ref = load_mnist(subset=300, seed=4)
    assert np.array_equal(x, x_ref) and np.array_equal(y, y_ref) and names == [str(d) for d in range(10)]


def test_mnist_as_32_pixel_colour_images(no_warnings):
    x = load_images("MNIST", image_size=32, channels=3, subset=64)
    assert x.shape == (64, 32, 32, 3) and x.dtype == np.float32
    assert float(x.min()) == -1.0 and float(x.max()) > 0.9
    assert np.array_equal(x[..., 0], x[..., 2])  # grey, in three channels


@pytest.mark.parametrize(("name", "shape", "first_class"), [("cifar10", (32, 32, 3), "airplane"), ("fashion_mnist", (28, 28), "T-shirt/top")])
def test_other_keras_data_sets_by_name(monkeypatch, name, shape, first_class, no_warnings):
    labels = np.arange(20) % 10
    fake = np.random.default_rng(0).integers(0, 256, (20, *shape), dtype=np.uint8)
    monkeypatch.setattr(getattr(keras.datasets, name), "load_data", lambda: ((fake, labels[:, None]), (fake[:2], labels[:2])))
    x, y, names = load_images(name, image_size=16, channels=1, with_labels=True)
    assert x.shape == (20, 16, 16, 1) and y.tolist() == labels.tolist() and names[0] == first_class


def test_a_failed_download_says_what_to_do(monkeypatch):
    def offline():
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- [Errno -3]")

    monkeypatch.setattr(keras.datasets.cifar10, "load_data", offline)
    with pytest.raises(ConnectionError, match="Keras could not load the cifar10 data set .*internet connection"):
        load_images("cifar10")


# ------------------------------------------------------------------------------- streaming
def batches(ds) -> list:
    return [tuple(t.numpy() for t in b) if isinstance(b, tuple) else b.numpy() for b in ds]


def same_batches(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        all(np.array_equal(u, v) for u, v in zip(p, q)) if isinstance(p, tuple) else np.array_equal(p, q) for p, q in zip(a, b)
    )


def test_stream_gives_the_batches_of_make_dataset_on_load_images(tmp_path, no_warnings):
    folder = make_classes(tmp_path / "flowers", per_class=6)
    x, y, names = load_images(folder, image_size=8, with_labels=True)
    expected = batches(make_dataset(x, y, batch_size=4, seed=5, epochs=3))
    ds = image_dataset(folder, 8, batch_size=4, seed=5, epochs=3, with_labels=True, cache_dir=tmp_path / "cache")
    assert same_batches(batches(ds), expected) and ds.class_names == names


def test_stream_resumes_exactly(tmp_path, no_warnings):
    folder = numbered(tmp_path / "data", 10)
    straight = batches(image_dataset(folder, 8, 1, batch_size=3, seed=7, epochs=4, cache_dir=tmp_path / "cache"))
    resumed = batches(image_dataset(folder, 8, 1, batch_size=3, seed=7, epochs=4, start_epoch=2, cache_dir=tmp_path / "cache"))
    assert same_batches(resumed, straight[6:])


def test_stream_reshuffles_every_pass(tmp_path, no_warnings):
    ds = image_dataset(numbered(tmp_path / "data", 12), 8, 1, batch_size=12, seed=0, cache_dir=tmp_path / "cache")
    first, second = (levels(next(iter(ds)).numpy()) for _ in range(2))
    assert sorted(first) == sorted(second) == [10 * (i + 1) for i in range(12)] and first != second


def test_stream_subset_is_the_subset_of_load_images(tmp_path, no_warnings):
    folder = numbered(tmp_path / "data", 12)
    x = load_images(folder, 8, 1, subset=6, seed=3)
    ds = image_dataset(folder, 8, 1, subset=6, seed=3, batch_size=6, epochs=1, cache_dir=tmp_path / "cache")
    assert sorted(levels(batches(ds)[0])) == levels(x)


def test_stream_of_a_zip_and_in_pad_mode(tmp_path, no_warnings):
    archive = zip_folder(make_classes(tmp_path / "flowers"), tmp_path / "f.zip")
    x = load_images(archive, image_size=8, fit="pad")
    ds = image_dataset(archive, 8, fit="pad", batch_size=8, epochs=1, cache_dir=tmp_path / "cache")
    assert same_batches(batches(ds), batches(make_dataset(x, batch_size=8, epochs=1)))


def test_stream_decodes_once_and_reuses_its_cache(tmp_path, monkeypatch):
    folder = numbered(tmp_path / "data", 4)
    (folder / "broken.png").write_text("not an image")
    with pytest.warns(UserWarning, match="broken.png"):
        first = batches(image_dataset(folder, 8, 1, batch_size=2, epochs=1, cache_dir=tmp_path / "cache"))
    monkeypatch.setattr(images_module, "_decode", lambda *a: pytest.fail("decoded again instead of reading the cache"))
    with pytest.warns(UserWarning, match="broken.png"):  # the first call's warnings are given again
        again = batches(image_dataset(folder, 8, 1, batch_size=2, epochs=1, cache_dir=tmp_path / "cache"))
    assert same_batches(again, first)
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")]  # no temporary file left


def test_stream_makes_a_damaged_cache_again(tmp_path, no_warnings):
    folder = numbered(tmp_path / "data", 3)
    first = batches(image_dataset(folder, 8, 1, batch_size=3, epochs=1, cache_dir=tmp_path / "cache"))
    for cache_file in (tmp_path / "cache").glob("*.npy"):
        cache_file.write_bytes(cache_file.read_bytes()[:40])  # cut short, as by a full disk
    assert same_batches(batches(image_dataset(folder, 8, 1, batch_size=3, epochs=1, cache_dir=tmp_path / "cache")), first)


def test_stream_accepts_numpy_integers(tmp_path, no_warnings):
    ds = image_dataset(numbered(tmp_path / "data", 4), np.int64(8), np.int64(1), batch_size=np.int64(2), seed=np.uint32(1), cache_dir=tmp_path / "c")
    assert next(iter(ds)).shape == (2, 8, 8, 1)


def test_stream_cache_follows_changed_files(tmp_path, no_warnings):
    folder = numbered(tmp_path / "data", 2)
    before = levels(batches(image_dataset(folder, 8, 1, batch_size=2, epochs=1, cache_dir=tmp_path / "cache"))[0])
    save(solid(200, (16, 16), "L"), folder / "00.png")
    os.utime(folder / "00.png", ns=(1, 1))  # a new modification time even on a coarse clock
    after = levels(batches(image_dataset(folder, 8, 1, batch_size=2, epochs=1, cache_dir=tmp_path / "cache"))[0])
    assert sorted(before) == [10, 20] and sorted(after) == [20, 200]


def test_image_stream_holds_the_pixels_of_load_images(tmp_path, no_warnings):
    folder = make_classes(tmp_path / "flowers", per_class=5)
    x, y, names = load_images(folder, image_size=8, with_labels=True)
    stream = image_stream(folder, 8, with_labels=True, cache_dir=tmp_path / "cache")
    assert len(stream) == len(x) and stream.shape == x.shape
    assert np.array_equal(np.concatenate(list(stream.chunks(size=3))), x)
    assert np.array_equal(stream.images([4, 0]), x[[4, 0]])
    assert np.array_equal(stream.labels, y) and stream.class_names == names and stream.with_labels
    assert isinstance(stream.pixels, np.memmap), "a folder's stream reads its pixels from the cache file"


def test_image_stream_refuses_labels_it_was_made_without(tmp_path, no_warnings):
    stream = image_stream(numbered(tmp_path / "data", 4), 8, 1, cache_dir=tmp_path / "cache")
    assert next(iter(stream.dataset(2, epochs=1))).shape == (2, 8, 8, 1)
    with pytest.raises(ValueError, match="made without its classes"):
        stream.dataset(2, with_labels=True)


def test_fit_gan_on_a_stream_resumes_the_run_begun_in_memory(tmp_path, no_warnings):
    """Same pixels, same batches, same fingerprint: a run begun on load_images resumes on the stream, exactly."""
    folder = make_classes(tmp_path / "flowers", per_class=8)
    x = load_images(folder, 8)

    def train(images, epochs, out, resume=False):
        gan_utils.set_seed(0)
        generator = gan_utils.build_mlp_generator(4, (8, 8, 3), (16,))
        gan = gan_utils.GAN(generator, gan_utils.build_mlp_discriminator((8, 8, 3), (16,)), seed=0, sample_count=4)
        gan.compile()
        gan_utils.fit_gan(gan, images, epochs=epochs, batch_size=4, seed=0, output_dir=out, resume=resume, verbose=0)
        return gan.generator.get_weights()

    straight = train(x, 2, tmp_path / "straight")
    train(x, 1, tmp_path / "mixed")
    resumed = train(image_stream(folder, 8, cache_dir=tmp_path / "cache"), 2, tmp_path / "mixed", resume=True)
    assert all(np.array_equal(a, b) for a, b in zip(straight, resumed))


def test_stream_of_mnist_by_name_is_make_dataset_on_load_mnist(no_warnings):
    x, y = load_mnist(subset=64, seed=2)
    ds = image_dataset("mnist", 28, 1, subset=64, seed=2, batch_size=16, epochs=2, with_labels=True)
    assert same_batches(batches(ds), batches(make_dataset(x, y, batch_size=16, seed=2, epochs=2)))
    assert ds.class_names[9] == "9"


# ------------------------------------------------------------------ bad input, told clearly
def test_unreadable_and_truncated_files_are_skipped_by_name(tmp_path):
    numbered(tmp_path / "data", 2)
    (tmp_path / "data" / "text.png").write_text("a text file named .png")
    truncated_jpeg(tmp_path / "data" / "cut.jpg")
    with pytest.warns(UserWarning, match=r"skipped 2 of 4 files that could not be read as images: cut\.jpg \(OSError: .*\), text\.png \(not an image Pillow can read\)") as record:
        x = load_images(tmp_path / "data", image_size=8, channels=1)
    assert levels(x) == [10, 20]
    assert Path(record[0].filename) == Path(__file__)  # the warning points at the caller's line


def test_many_unreadable_files_are_listed_with_a_count(tmp_path):
    numbered(tmp_path / "data", 1)
    for i in range(8):
        (tmp_path / "data" / f"bad{i}.png").write_bytes(b"")
    with pytest.warns(UserWarning, match=r"skipped 8 of 9 files .*bad0\.png .*bad4\.png \(not an image Pillow can read\) and 3 more\."):
        load_images(tmp_path / "data", image_size=8)


def test_no_readable_image_is_an_error_naming_the_files(tmp_path):
    (tmp_path / "a.png").write_text("text")
    truncated_jpeg(tmp_path / "b.jpg")
    with pytest.raises(ValueError, match=r"none of the 2 image files could be read: a\.png \(not an image Pillow can read\), b\.jpg \(OSError"):
        load_images(tmp_path)


def test_small_images_are_enlarged_with_a_warning(tmp_path):
    save(solid(RED, (40, 40)), tmp_path / "big.png")
    save(solid(RED, (8, 12)), tmp_path / "tiny.png")
    save(solid(RED, (20, 50)), tmp_path / "thin.png")
    with pytest.warns(UserWarning, match=r"2 of 3 images have their shorter side under image_size=32 pixels \(the smallest: tiny\.png, 8x12\); they were enlarged"):
        x = load_images(tmp_path, image_size=32)
    assert x.shape == (3, 32, 32, 3)


def test_small_means_the_longer_side_when_padding(tmp_path):
    save(solid(RED, (20, 50)), tmp_path / "thin.png")  # 50 pixels tall: fits 32 without enlarging
    save(solid(RED, (8, 12)), tmp_path / "tiny.png")
    with pytest.warns(UserWarning, match=r"1 of 2 images have their longer side under image_size=32 pixels \(the smallest: tiny\.png, 8x12\)"):
        load_images(tmp_path, image_size=32, fit="pad")


def test_formats_not_read_are_named(tmp_path):
    numbered(tmp_path, 1)
    (tmp_path / "IMG_0001.HEIC").write_bytes(b"...")
    (tmp_path / "IMG_0002.heic").write_bytes(b"...")
    with pytest.warns(UserWarning, match=r"left out 2 files in formats load_images does not read: \.heic \(2\)\. Convert them to PNG or JPEG"):
        load_images(tmp_path, image_size=8)


def test_files_of_other_extensions_are_counted_and_named_in_a_warning(tmp_path):
    numbered(tmp_path, 1)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "photo.jfif").write_bytes(b"...")
    (tmp_path / "scan.jpe").write_bytes(b"...")
    with pytest.warns(UserWarning, match=r"left out 3 other files, not read by their extension: notes\.txt, photo\.jfif, scan\.jpe\. "
                      r"Files ending in \.jfif or \.jpe are JPEGs: rename them to \.jpg"):
        load_images(tmp_path, image_size=8)


def test_files_of_other_extensions_in_a_zip_are_named_too(tmp_path):
    import zipfile

    numbered(tmp_path / "src", 1)
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        for f in (tmp_path / "src").iterdir():
            z.write(f, f.name)
        z.writestr("README", "about these pictures")
    with pytest.warns(UserWarning, match=r"left out 1 other files, not read by their extension: README\."):
        load_images(tmp_path / "a.zip", image_size=8)


def files(**contents):
    """A row's folder: file name -> bytes (or text)."""
    def build(tmp: Path) -> Path:
        for name, data in contents.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data if isinstance(data, bytes) else data.encode())
        return tmp
    return build


def classes_and_loose(tmp: Path) -> Path:
    make_classes(tmp)
    save(solid(RED), tmp / "stray.png")
    return tmp


EXTENSIONS = re.escape(".bmp, .gif, .jpeg, .jpg, .png") + (re.escape(", .webp") if WEBP else "")
BAD = [  # (id, source builder or value, keyword arguments, error, message)
    ("an empty folder", files(), {}, ValueError, rf"The folder .* holds no images: looked for {EXTENSIONS} files \(in every sub-folder too\) and found nothing\."),
    ("a folder without images", files(**{"a.txt": "x", "b.txt": "y", "c.heic": "z", "README": "r"}), {}, ValueError,
     r"holds no images: .* and found no extension \(1\), \.heic \(1\), \.txt \(2\)\. Put your images there"),
    ("a path that does not exist", lambda t: t / "my_photos", {}, FileNotFoundError, r"no file or folder at .*my_photos\. Check the name"),
    ("a zip that is not a zip", lambda t: files(**{"photos.zip": "<html>the upload page</html>"})(t) / "photos.zip", {}, ValueError,
     r"photos\.zip is not a readable zip file \(File is not a zip file\)\. It may be cut short"),
    ("a zip without images", lambda t: zip_folder(files(**{"a.txt": "x"})(t / "in"), t / "texts.zip"), {}, ValueError, r"The zip file .*texts\.zip holds no images: .*found \.txt \(1\)"),
    ("a file that is no image, folder or zip", lambda t: files(**{"data.csv": "1,2"})(t) / "data.csv", {}, ValueError, r"data\.csv is neither a folder, a zip file nor an image file \(\.bmp"),
    ("an unknown Keras data set", "cifar100", {}, ValueError, r"unknown Keras data set 'cifar100': load_images knows mnist, fashion_mnist, cifar10\. \(Nor is there a file or folder named 'cifar100'"),
    ("a number, not a source", 42, {}, TypeError, r"source must be a folder, a zip file, a list of image files or the name of a Keras data set \(mnist, fashion_mnist, cifar10\), got int 42"),
    ("an empty list", [], {}, ValueError, "source is an empty list: give at least one image file"),
    ("a list with a missing file", lambda t: [t / "nope.png"], {}, FileNotFoundError, r"no image file at .*nope\.png \(given in the list of files\)"),
    ("a list with a folder", lambda t: [t], {}, ValueError, r"is a folder: pass a folder on its own"),
    ("image_size zero", "mnist", {"image_size": 0}, ValueError, "image_size must be a positive number of pixels like 28, 32 or 64, got 0"),
    ("image_size fractional", "mnist", {"image_size": 31.5}, ValueError, "image_size must be a positive number of pixels .*got 31.5"),
    ("image_size a string", "mnist", {"image_size": "64"}, ValueError, "image_size must be a positive number of pixels .*got '64'"),
    ("channels 4", "mnist", {"channels": 4}, ValueError, r"channels must be 1 \(grey\) or 3 \(colour\), got 4"),
    ("channels a name", "mnist", {"channels": "rgb"}, ValueError, r"channels must be 1 \(grey\) or 3 \(colour\), got 'rgb'"),
    ("channels a float", "mnist", {"channels": 3.0}, ValueError, r"channels must be 1 \(grey\) or 3 \(colour\), got 3\.0"),
    ("fit stretch", "mnist", {"fit": "stretch"}, ValueError, r"fit must be 'crop' \(cut the overflow off the longer side\) or 'pad' \(black bars on the shorter side\), got 'stretch'"),
    ("subset zero", "mnist", {"subset": 0}, ValueError, "subset must be a positive number of images, got 0"),
    ("seed negative", "mnist", {"seed": -1}, ValueError, r"seed must be an integer from 0 to 2\*\*32 - 1, got -1"),
    ("with_labels a string", "mnist", {"with_labels": "yes"}, ValueError, "with_labels must be True or False, got 'yes'"),
    ("labels from a flat folder", lambda t: numbered(t, 2), {"with_labels": True}, ValueError,
     r"with_labels=True needs classes, and .* has none: put each class's images in a sub-folder"),
    ("labels from a list of files", lambda t: [save(solid(RED), t / "a.png")], {"with_labels": True}, ValueError, "with_labels=True needs classes, and a list of files has none"),
    ("labels with images beside the class folders", classes_and_loose, {"with_labels": True}, ValueError,
     r"with_labels=True, but 1 images lie beside the class folders \(roses, tulips\) instead of inside one: stray\.png\. Move them"),
]


@pytest.mark.parametrize(("source", "kwargs", "error", "message"), [pytest.param(*row[1:], id=row[0]) for row in BAD])
@pytest.mark.parametrize("loader", [load_images, image_dataset])
def test_bad_input_is_refused_saying_what_was_wrong(loader, source, kwargs, error, message, tmp_path):
    (tmp_path / "src").mkdir()
    source = source(tmp_path / "src") if callable(source) else source
    if loader is image_dataset:
        kwargs = {**kwargs, "cache_dir": tmp_path / "cache"}
    with pytest.raises(error, match=message):
        loader(source, **kwargs)


def test_stream_refuses_a_batch_larger_than_the_images(tmp_path):
    with pytest.raises(ValueError, match=r"batch_size 8 is larger than the data \(3 images\)"):
        image_dataset(numbered(tmp_path / "data", 3), 8, batch_size=8, cache_dir=tmp_path / "cache")


def test_stream_refuses_a_cache_dir_that_is_a_file(tmp_path):
    (tmp_path / "cache").write_text("a file")
    with pytest.raises(NotADirectoryError, match=r"cache_dir .*cache is a file: pass a folder"):
        image_dataset(numbered(tmp_path / "data", 3), 8, batch_size=2, cache_dir=tmp_path / "cache")


def test_load_images_is_public():
    assert {"load_images", "image_dataset"} <= set(gan_utils.__all__)
