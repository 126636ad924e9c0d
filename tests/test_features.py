"""Specification of gan_utils.features and of scoring images that are not digits (metrics.compare).

No test downloads anything: the random stand-in replaces InceptionV3, whose missing weights are
simulated; InceptionV3's own plumbing is checked with random weights or a tiny stand-in network.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_utils import features, metrics

SHAPE = (32, 32, 3)
N = 200


def _colour_shapes(n: int, seed: int) -> np.ndarray:
    """``n`` colour images (32, 32, 3) in [-1, 1]: a flat rectangle of one random colour on another."""
    rng = np.random.default_rng(seed)
    x = np.empty((n, *SHAPE), "float32")
    x[:] = rng.uniform(-1, 1, (n, 1, 1, 3))
    for i in range(n):
        top, left = rng.integers(2, 16, 2)
        h, w = rng.integers(6, 14, 2)
        x[i, top : top + h, left : left + w] = rng.uniform(-1, 1, 3)
    return x


def _noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (n, *SHAPE)).astype("float32")


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    return _colour_shapes(N, seed=0)


@pytest.fixture(scope="module")
def other_real() -> np.ndarray:
    return _colour_shapes(N, seed=1)


@pytest.fixture()
def offline(monkeypatch):
    """InceptionV3's ImageNet weights cannot be downloaded, as on a machine without internet."""
    original = keras.applications.InceptionV3

    def no_network(*args, weights="imagenet", **kwargs):
        if weights == "imagenet":
            raise Exception(  # noqa: TRY002 - what Keras raises when the download fails
                "URL fetch failure on https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
                f"{features.INCEPTION_WEIGHTS_FILE}: None -- [Errno -2] Name or service not known"
            )
        return original(*args, weights=weights, **kwargs)

    monkeypatch.setattr(keras.applications, "InceptionV3", no_network)
    features._inception_network.cache_clear()
    yield
    features._inception_network.cache_clear()


# ---------------------------------------------------------------------------- the random stand-in
def test_random_extractor_gives_one_row_of_dim_features_per_image(real):
    assert features.random_extractor(SHAPE)(real[:10]).shape == (10, 64)
    assert features.random_extractor(SHAPE, dim=16)(real[:10]).shape == (10, 16)
    assert features.random_extractor((28, 28))(np.zeros((3, 28, 28), "float32")).shape == (3, 64)


def test_random_extractor_is_the_same_network_for_the_same_seed(real):
    first = features.random_extractor(SHAPE, seed=3)(real[:20])
    features._random_network.cache_clear()  # built again from scratch
    assert np.array_equal(features.random_extractor(SHAPE, seed=3)(real[:20]), first)
    assert not np.allclose(features.random_extractor(SHAPE, seed=4)(real[:20]), first)


def test_random_extractor_refuses_images_of_another_shape():
    extractor = features.random_extractor(SHAPE)
    with pytest.raises(ValueError, match=r"built for images of shape \(32, 32, 3\)"):
        extractor(np.zeros((2, 28, 28, 1), "float32"))
    with pytest.raises(ValueError, match="image_shape must be"):
        features.random_extractor((32, 32, 4))


# ------------------------------------------------------------------------------------ InceptionV3
def test_missing_inception_weights_raise_an_error_that_says_what_to_do(offline):
    with pytest.raises(features.FeatureWeightsUnavailable) as caught:
        features.get_extractor("inception")
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    assert "Name or service not known" in message and "Name or service not known" in caught.value.reason
    for advice in ("internet", "Colab", "~/.keras/models/", features.INCEPTION_WEIGHTS_FILE, "features='random'"):
        assert advice in message


def test_missing_inception_weights_fall_back_when_asked_and_say_so(offline, capsys):
    extractor = features.get_extractor("inception", image_shape=SHAPE, fallback="random")
    out = capsys.readouterr().out
    assert extractor.kind == "random"
    assert out.count("\n") == 1
    assert out.startswith("InceptionV3's ImageNet weights could not be loaded (URL fetch failure")
    assert "using random features (stand-in, dim 64, seed 0) instead: its FID numbers are not comparable with papers." in out


def test_inception_extractor_feeds_colour_299_pixel_images_in_minus_one_to_one(monkeypatch):
    seen = []

    def tiny_inception(image_size: int, weights: str | None):
        def network(x: tf.Tensor, training: bool = False) -> tf.Tensor:
            seen.append(tuple(x.shape[1:]))
            return tf.stack([tf.reduce_min(x, axis=(1, 2, 3)), tf.reduce_max(x, axis=(1, 2, 3))], axis=1)

        return network

    monkeypatch.setattr(features, "_inception_network", tiny_inception)
    features._inception_graph.cache_clear()
    try:
        extractor = features.inception_extractor()
        grey = np.stack([np.full((28, 28, 1), -1.0), np.full((28, 28, 1), 1.0)]).astype("float32")
        out = extractor(grey)
    finally:
        features._inception_graph.cache_clear()
    assert seen == [(299, 299, 3)]
    assert np.allclose(out, [[-1.0, -1.0], [1.0, 1.0]], atol=1e-5)
    assert extractor.comparable_with_papers and "InceptionV3" in extractor.name


def test_inception_extractor_gives_2048_features(real):
    extractor = features.inception_extractor(image_size=75, weights=None)  # random weights: no download, small
    assert extractor(real[:2]).shape == (2, 2048)
    assert not extractor.comparable_with_papers


# --------------------------------------------------------------------------- the MNIST classifier
def _colour_digits(digits: np.ndarray, seed: int) -> np.ndarray:
    """MNIST digits in [-1, 1] as 32x32 colour images: a dark stroke on a light background, colours random."""
    rng = np.random.default_rng(seed)
    ink = np.pad((digits[..., 0] + 1.0) / 2.0, ((0, 0), (2, 2), (2, 2)))[..., None]
    background = rng.uniform(0.3, 1.0, (len(digits), 1, 1, 3))
    stroke = rng.uniform(-1.0, -0.3, (len(digits), 1, 1, 3))
    return (background * (1.0 - ink) + stroke * ink).astype("float32")


def test_to_digits_leaves_mnist_unchanged(mnist_small):
    x, _ = mnist_small
    assert np.array_equal(features.to_digits(x[:100]), x[:100])


def test_the_classifier_reads_light_background_colour_digits_after_to_digits(mnist_small):
    x, y = mnist_small
    colour = _colour_digits(x[:300], seed=0)
    assert (metrics.predict_classes(features.to_digits(colour)) == y[:300]).mean() > 0.95
    assert features.to_digits(colour, ink="grey").mean() > 0.0  # without it the background stays light


# -------------------------------------------------------------------------- by name, any function
def test_unknown_extractor_names_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown feature extractor 'vgg'.*'inception'.*'classifier'.*'random'"):
        features.get_extractor("vgg", image_shape=SHAPE)
    with pytest.raises(ValueError, match="pass image_shape"):
        features.get_extractor("random")


def test_features_needs_no_notebook_or_plotting_libraries():
    lines = inspect.getsource(features).splitlines()
    imported = {line.split()[1].split(".")[0] for line in lines if line.startswith(("import ", "from "))}
    standard = {"__future__", "dataclasses", "functools", "os", "sys", "warnings", "collections", "pathlib"}
    assert imported <= standard | {"keras", "numpy", "tensorflow"}


def test_an_extractor_returning_the_wrong_shape_is_refused(real):
    with pytest.raises(ValueError, match=r"returned shape \(32, 32, 3\) for 10 images.*\(n, d\)"):
        features.FeatureExtractor("first image", lambda x: x[0])(real[:10])


# -------------------------------------------------------------------------------- metrics.compare
def test_fid_of_a_set_with_itself_is_zero_and_with_a_shifted_set_positive(real):
    same = metrics.compare(real, real, features="random")
    assert same["fid"] == pytest.approx(0.0, abs=1e-6)
    assert same["precision"] == same["recall"] == 1.0
    shifted = np.clip(real + 0.5, -1.0, 1.0)
    assert metrics.compare(real, shifted, features="random")["fid"] > 1e-3


def test_compare_tells_real_from_noise_on_colour_images(real, other_real):
    floor = metrics.compare(real, other_real, features="random")
    noise = metrics.compare(real, _noise(N, seed=2), features="random")
    assert set(floor) >= {"fid", "precision", "recall", "n_real", "n_fake", "n", "features", "comparable_with_papers"}
    assert floor["n_real"] == floor["n_fake"] == N
    assert floor["features"] == "random features (stand-in, dim 64, seed 0)"
    assert floor["comparable_with_papers"] is False
    assert noise["fid"] > 10.0 * floor["fid"]
    assert floor["precision"] > 0.5 and floor["recall"] > 0.5
    assert noise["precision"] < 0.1 and noise["recall"] < 0.1


def test_compare_accepts_a_function_as_extractor(real, other_real):
    def mean_colour(x: np.ndarray) -> np.ndarray:
        return x.mean(axis=(1, 2))

    scores = metrics.compare(real, other_real, features=mean_colour)
    assert scores["features"] == "mean_colour" and np.isfinite(scores["fid"])
    assert metrics.format_scores(scores).startswith("FID (mean_colour) ")


def test_compare_without_inception_weights_falls_back_only_when_asked(offline, real, other_real, capsys):
    with pytest.raises(features.FeatureWeightsUnavailable, match="Colab"):
        metrics.compare(real, other_real)  # features="inception" by default
    scores = metrics.compare(real, other_real, features="inception", fallback="random")
    assert scores["features"].startswith("random features") and not scores["comparable_with_papers"]
    assert "using random features" in capsys.readouterr().out


def test_compare_warns_when_there_are_fewer_images_than_features(real):
    with pytest.warns(UserWarning, match="strongly biased"):
        metrics.compare(real[:20], real[20:40], features="random")


@pytest.mark.parametrize(
    ("fake", "error", "message"),
    [
        (np.zeros((N, 28, 28, 1), "float32"), ValueError, r"same size and channels"),
        ((_colour_shapes(N, 5) * 127.5 + 127.5).astype(np.uint8), TypeError, "scale_images"),
        (_colour_shapes(N, 5) * 127.5 + 127.5, ValueError, r"\[-1, 1\]"),
        (np.full((N, *SHAPE), np.nan, "float32"), ValueError, "NaN"),
        (_colour_shapes(3, 5), ValueError, "more than k=3.*a few thousand"),
        (_colour_shapes(1, 5)[0], ValueError, "batch axis"),
        (np.zeros((N, 32, 32, 4), "float32"), ValueError, "1 \\(grey\\) or 3 \\(colour\\) channels"),
    ],
)
def test_compare_refuses_bad_images_with_clear_messages(real, fake, error, message):
    with pytest.raises(error, match=message):
        metrics.compare(real, fake, features="random")


# ------------------------------------------------ metrics.evaluate and nearest_real with features
def test_evaluate_with_an_extractor_gives_fid_precision_recall_but_no_class_scores(real, other_real):
    scores = metrics.evaluate(other_real, reference=real, features="random")
    assert set(scores) == {"fid", "precision", "recall", "n", "n_reference", "features"}
    assert scores["fid"] == pytest.approx(metrics.compare(real, other_real, features="random")["fid"])


def test_evaluate_needs_a_reference_for_images_that_are_not_mnist_sized(real):
    with pytest.raises(ValueError, match="pass reference="):
        metrics.evaluate(real, features="random")


def test_evaluate_without_features_points_colour_images_to_compare(real):
    with pytest.raises(ValueError, match=r"\(n, 28, 28, 1\).*metrics.compare"):
        metrics.evaluate(real)


def test_evaluate_with_the_classifier_named_is_the_default_evaluation(mnist_small):
    x, _ = mnist_small
    default = metrics.evaluate(x[:200], reference=x[200:])
    named = metrics.evaluate(x[:200], reference=x[200:], features="digits")
    assert named.pop("features") == "MNIST classifier features"
    assert named == default


def test_evaluate_scores_colour_digits_with_the_classifier_and_its_class_scores(mnist_small):
    x, _ = mnist_small
    scores = metrics.evaluate(_colour_digits(x[:200], seed=1), reference=x[200:], features="classifier")
    assert {"class_kl", "class_histogram", "confidence"} <= set(scores)
    assert scores["precision"] > 0.5 and not scores["mode_collapse"]


def test_nearest_real_in_features_finds_an_exact_copy_first(real):
    idx, dist = metrics.nearest_real(real[[7, 42]], real, k=3, features="random")
    assert idx[:, 0].tolist() == [7, 42] and np.allclose(dist[:, 0], 0, atol=1e-3)
    idx, _ = metrics.nearest_real(real[[7, 42]], real, k=3)  # pixels, colour images
    assert idx[:, 0].tolist() == [7, 42]
