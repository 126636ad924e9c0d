"""gan_utils.data: real MNIST loading, scaling, filters and the tf.data pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from gan_utils import config
from gan_utils.data import check_digits, load_mnist, make_dataset, mnist_source, scale_images


def test_train_split_is_the_full_real_mnist():
    x, y = load_mnist()
    assert x.shape == (60000, 28, 28, 1) and x.dtype == np.float32
    assert y.shape == (60000,) and set(np.unique(y)) == set(range(10))
    # Real MNIST: about a fifth of pixels carry ink (above the black background); the first label is a 5.
    assert y[0] == 5 and 0.15 < float((x > -1).mean()) < 0.25


def test_test_split_has_ten_thousand_images():
    x, y = load_mnist(split="test")
    assert x.shape == (10000, 28, 28, 1) and len(y) == 10000


def test_default_scaling_is_minus_one_to_one():
    x, _ = load_mnist(subset=256)
    assert float(x.min()) == -1.0 and float(x.max()) == 1.0


def test_unit_scaling_is_zero_to_one():
    x, _ = load_mnist(subset=256, value_range=(0, 1))
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0


def test_raw_pixels_are_uint8():
    x, _ = load_mnist(subset=16, value_range=None)
    assert x.dtype == np.uint8 and x.shape == (16, 28, 28, 1) and x.max() > 200


def test_digit_filter_keeps_only_zeros():
    x, y = load_mnist(digits=0)
    assert set(y.tolist()) == {0} and 5000 < len(x) < 7000


def test_digit_filter_accepts_several_classes():
    _, y = load_mnist(digits=[3, 7], subset=500)
    assert set(y.tolist()) == {3, 7}


def test_subset_is_seeded_and_sized():
    a, _ = load_mnist(subset=100, seed=1)
    b, _ = load_mnist(subset=100, seed=1)
    c, _ = load_mnist(subset=100, seed=2)
    assert len(a) == 100 and np.array_equal(a, b) and not np.array_equal(a, c)


def test_explicit_path_wins_over_environment(tmp_path):
    fake = {k: np.zeros((3, 28, 28), np.uint8) if k.startswith("x") else np.array([1, 2, 3], np.uint8)
            for k in ("x_train", "y_train", "x_test", "y_test")}
    path = tmp_path / "tiny.npz"
    np.savez(path, **fake)
    x, y = load_mnist(path)
    assert len(x) == 3 and y.tolist() == [1, 2, 3]
    assert mnist_source(path) == str(path)


def test_source_follows_the_documented_setting():
    expected = str(config.MNIST_PATH) if config.MNIST_PATH else "keras.datasets.mnist"
    assert mnist_source() == expected


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="GAN_UTILS_MNIST"):
        load_mnist(tmp_path / "nope.npz")


def test_corrupt_file_is_reported(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_mnist(path)


def test_npz_without_expected_keys_names_them(tmp_path):
    path = tmp_path / "keys.npz"
    np.savez(path, images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="x_train.*y_train"):
        load_mnist(path)


@pytest.mark.parametrize("digits", [10, -1, [1, 12], [], "7", 2.5])
def test_bad_digits_are_refused(digits):
    with pytest.raises(ValueError, match="digits"):
        check_digits(digits)


def test_scale_images_refuses_floats():
    with pytest.raises(TypeError, match="uint8"):
        scale_images(np.zeros((2, 28, 28), np.float32))


def test_dataset_gives_full_shuffled_batches():
    x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    batches = [b.numpy().ravel().tolist() for b in make_dataset(x, batch_size=4, seed=0)]
    assert [len(b) for b in batches] == [4, 4]  # the incomplete last batch is dropped
    assert len(set(sum(batches, []))) == 8  # no image twice within an epoch
    assert sum(batches, []) != list(range(8))  # shuffled


def test_dataset_reshuffles_every_pass():
    x = np.arange(64, dtype=np.float32).reshape(64, 1, 1, 1)
    ds = make_dataset(x, batch_size=64, seed=0)
    first, second = (next(iter(ds)).numpy().ravel().tolist() for _ in range(2))
    assert sorted(first) == sorted(second) and first != second


def test_dataset_epochs_are_a_function_of_seed_and_epoch():
    x = np.arange(40, dtype=np.float32).reshape(40, 1, 1, 1)
    y = np.arange(40) % 10
    straight = [b[1].numpy().tolist() for b in make_dataset(x, y, batch_size=10, seed=3, epochs=4)]
    resumed = [b[1].numpy().tolist() for b in make_dataset(x, y, batch_size=10, seed=3, epochs=4, start_epoch=2)]
    assert resumed == straight[8:]


def test_dataset_refuses_batch_larger_than_data():
    with pytest.raises(ValueError, match="larger than the data"):
        make_dataset(np.zeros((5, 28, 28, 1), np.float32), batch_size=8)


def test_dataset_refuses_empty_data():
    with pytest.raises(ValueError, match="empty"):
        make_dataset(np.zeros((0, 28, 28, 1), np.float32))
