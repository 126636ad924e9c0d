"""Specification of gan_utils.metrics: the classifier judge, FID, precision/recall, class balance, monitor.

Sets of 2,000 images are scored against the 10,000 MNIST test images (their features and k-NN radii
are computed once and cached), and compared with the real-versus-real floor at the same size.
"""

from __future__ import annotations

import shutil

import keras
import numpy as np
import pytest

import gan_utils
from gan_utils import metrics, pretrained

N = 2000


def _box_blur(x: np.ndarray, size: int = 5, passes: int = 2) -> np.ndarray:
    """Blur images (n, 28, 28, 1) with a size x size mean filter, ``passes`` times (edges padded)."""
    pad = size // 2
    for _ in range(passes):
        p = np.pad(x[..., 0], ((0, 0), (pad, pad), (pad, pad)), mode="edge")
        out = np.zeros_like(x[..., 0])
        for dy in range(size):
            for dx in range(size):
                out += p[:, dy : dy + 28, dx : dx + 28]
        x = (out / size**2)[..., None]
    return x


@pytest.fixture(scope="module")
def floor() -> dict:
    return metrics.real_floor(N)


@pytest.fixture(scope="module")
def real_images() -> np.ndarray:
    # seed 1: a different sample of training images than the floor's (seed 0)
    return gan_utils.load_mnist(split="train", subset=N, seed=1)[0]


@pytest.fixture(scope="module")
def real_scores(real_images) -> dict:
    return metrics.evaluate(real_images)


@pytest.fixture(scope="module")
def noise_scores() -> dict:
    noise = np.random.default_rng(0).uniform(-1.0, 1.0, (N, 28, 28, 1)).astype("float32")
    return metrics.evaluate(noise)


@pytest.fixture(scope="module")
def one_class_scores() -> dict:
    ones, _ = gan_utils.load_mnist(split="train", digits=1, subset=N, seed=0)
    return metrics.evaluate(ones)


# ------------------------------------------------------------------------------- the classifier
def test_classifier_reaches_99_percent_on_the_test_set():
    assert metrics.classifier_accuracy() >= 0.99


def test_classifier_exposes_a_named_features_layer():
    clf = metrics.load_classifier()
    assert clf.get_layer(metrics.FEATURE_LAYER).output.shape[-1] == metrics.reference_outputs()[0].shape[1]


def test_tampered_classifier_file_is_refused(tmp_path):
    sums = pretrained.read_checksums()
    (tmp_path / "classifier").mkdir()
    copies = []
    for shipped in pretrained.network_files(metrics.CLASSIFIER_PATH):
        name = f"classifier/{shipped.name}"
        assert name in sums, f"files/SHA256SUMS must list {name}"
        shutil.copyfile(shipped, tmp_path / name)
        copies.append(tmp_path / name)
    tmp_sums = tmp_path / "SHA256SUMS"
    tmp_sums.write_text("".join(f"{sums[f'classifier/{c.name}']}  classifier/{c.name}\n" for c in copies))
    record, weights = copies
    assert metrics.load_classifier(record, sums_file=tmp_sums).name == "mnist_classifier"  # untouched copies pass

    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not match its SHA-256"):
        pretrained.verify_checksum(weights, sums_file=tmp_sums)
    with pytest.raises(ValueError, match="does not match its SHA-256"):
        metrics.load_classifier(record, sums_file=tmp_sums)


def test_predict_classes_agrees_with_labels(real_images):
    x, y = gan_utils.load_mnist(split="test", subset=200, seed=3)
    assert (metrics.predict_classes(x) == y).mean() >= 0.97
    assert metrics.classifier_features(x[:5, ..., 0]).shape == (5, 128)  # (n, 28, 28) accepted too


# --------------------------------------------------------------------------- frechet distance
@pytest.fixture(scope="module")
def two_feature_sets() -> tuple[np.ndarray, np.ndarray]:
    feats = np.asarray(metrics.reference_outputs()[0], dtype=np.float64)
    return feats[:5000], feats[5000:]


def test_frechet_distance_of_identical_features_is_zero(two_feature_sets):
    a, _ = two_feature_sets
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6 * np.trace(np.cov(a, rowvar=False)))


def test_frechet_distance_is_symmetric(two_feature_sets):
    a, b = two_feature_sets
    noise = np.random.default_rng(0).normal(size=a.shape) * a.std(axis=0)
    for x, y in ((a, b), (a, noise)):
        assert metrics.frechet_distance(x, y) == pytest.approx(metrics.frechet_distance(y, x), rel=1e-6, abs=1e-6)


def test_frechet_distance_matches_closed_forms(two_feature_sets):
    a, _ = two_feature_sets
    shift = np.linspace(-1.0, 1.0, a.shape[1])
    # same covariance, moved mean: exactly the squared shift
    assert metrics.frechet_distance(a, a + shift) == pytest.approx(np.sum(shift**2), rel=1e-6)
    # doubled features: |mu|^2 + tr(S) + tr(4S) - 2 tr(2S) = |mu|^2 + tr(S)
    expected = np.sum(a.mean(axis=0) ** 2) + np.trace(np.cov(a, rowvar=False))
    assert metrics.frechet_distance(a, 2.0 * a) == pytest.approx(expected, rel=1e-6)


# ------------------------------------------------------------------------------------- scores
def test_real_images_score_near_the_floor(real_scores, floor):
    # Another sample of real digits: FID differs from the floor's only by sampling noise (about 2 to
    # 4.5 at n = 2,000 across seeds), while noise, blur, blank and one-class sets score 100s-1000s.
    assert floor["n"] == real_scores["n"] == N
    assert real_scores["fid"] < 3.0 * floor["fid"]
    for key in ("precision", "recall"):  # k-NN scores of real vs real sit near 0.88, not 1, in 128-D
        assert real_scores[key] == pytest.approx(floor[key], abs=0.05)
        assert real_scores[key] > 0.8
    assert real_scores["class_kl"] < 0.02 and not real_scores["mode_collapse"]
    assert real_scores["confidence"] > 0.95


def test_noise_scores_far_from_the_floor(noise_scores, floor):
    assert noise_scores["fid"] > 100.0 * floor["fid"]
    assert noise_scores["precision"] < 0.05 and noise_scores["recall"] < 0.05


def test_blurred_and_blank_images_score_far_from_the_floor(real_images, real_scores, floor):
    blurred = metrics.evaluate(_box_blur(real_images))
    blank = metrics.evaluate(np.full((N, 28, 28, 1), -1.0, "float32"))
    for scores in (blurred, blank):
        assert scores["fid"] > 100.0 * floor["fid"]
        assert scores["recall"] < 0.05  # neither covers the variety of real digits
    assert blank["mode_collapse"]


def test_one_class_set_trips_the_mode_collapse_alarm(one_class_scores, real_scores):
    assert one_class_scores["mode_collapse"]
    assert one_class_scores["class_kl"] > 2.0  # log 10 = 2.30 for a single class
    assert max(one_class_scores["class_histogram"]) > 0.95
    assert one_class_scores["recall"] < 0.3 < real_scores["recall"]


def test_evaluate_reports_every_score(real_scores):
    assert set(real_scores) >= {"fid", "precision", "recall", "class_kl", "class_histogram", "confidence", "n"}
    assert len(real_scores["class_histogram"]) == 10
    assert sum(real_scores["class_histogram"]) == pytest.approx(1.0)
    assert real_scores["n_reference"] == 10_000


def test_evaluate_accepts_an_explicit_reference(real_images):
    scores = metrics.evaluate(real_images[:500], reference=real_images[500:1500])
    assert scores["n_reference"] == 1000 and scores["precision"] > 0.8


def test_precision_recall_of_a_set_with_itself_is_one_and_of_far_sets_zero():
    feats = metrics.reference_outputs()[0][:1000]
    assert metrics.precision_recall(feats, feats) == {"precision": 1.0, "recall": 1.0}
    assert metrics.precision_recall(feats, feats + 10.0 * feats.std()) == {"precision": 0.0, "recall": 0.0}


def test_kl_from_uniform_and_histogram():
    assert metrics.kl_from_uniform(np.full(10, 0.1)) == pytest.approx(0.0, abs=1e-12)
    assert metrics.kl_from_uniform(metrics.class_histogram(np.full(7, 4))) == pytest.approx(np.log(10))
    assert metrics.kl_from_uniform(np.r_[np.full(9, 1 / 9), 0.0]) > metrics.MODE_COLLAPSE_KL


# ---------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("images", "error", "message"),
    [
        (np.zeros((4, 28, 28, 1), np.uint8), TypeError, "scale_images"),
        (np.zeros((4, 32, 32, 3), "float32"), ValueError, r"\(n, 28, 28, 1\)"),
        (np.zeros((28, 28, 1), "float32"), ValueError, "batch axis"),
        (np.zeros((0, 28, 28, 1), "float32"), ValueError, "empty"),
        (np.full((4, 28, 28, 1), 255.0, "float32"), ValueError, r"\[-1, 1\]"),
        (np.full((4, 28, 28, 1), np.nan, "float32"), ValueError, "NaN"),
        (np.array(["a"] * 4), TypeError, "numbers"),
    ],
)
def test_bad_images_give_clear_errors(images, error, message):
    with pytest.raises(error, match=message):
        metrics.evaluate(images)


def test_too_few_images_and_bad_features_give_clear_errors():
    with pytest.raises(ValueError, match="more than k=3"):
        metrics.evaluate(np.full((3, 28, 28, 1), -1.0, "float32"))
    with pytest.raises(ValueError, match="same extractor"):
        metrics.frechet_distance(np.zeros((10, 4)), np.zeros((10, 5)))
    with pytest.raises(ValueError, match="n >= 2"):
        metrics.frechet_distance(np.zeros((1, 4)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="k must be"):
        metrics.precision_recall(np.zeros((10, 4)), np.zeros((10, 4)), k=0)


def test_images_in_zero_one_range_raise_a_warning():
    with pytest.warns(UserWarning, match="2 \\* images - 1"):
        metrics.check_images(np.full((2, 28, 28), 0.5))


# ------------------------------------------------------------------------------------ callback
def _tiny_gan(conditional: bool) -> gan_utils.GAN:
    if conditional:
        g = gan_utils.build_conditional_generator(latent_dim=8, width=4)
        d = gan_utils.build_conditional_discriminator(width=4)
    else:
        g = gan_utils.build_dcgan_generator(latent_dim=8, width=4)
        d = gan_utils.build_dcgan_discriminator(width=4)
    gan = gan_utils.GAN(g, d, seed=0)
    gan.compile()
    return gan


def test_quality_monitor_records_scores_during_fit_gan(seeded, mnist_small, capsys):
    x, _ = mnist_small
    gan = _tiny_gan(conditional=False)
    monitor = metrics.QualityMonitor(every=1, n_samples=200)
    history = gan_utils.fit_gan(gan, x[:256], epochs=1, batch_size=64, callbacks=[monitor], verbose=0)
    assert len(monitor.results) == 1 and monitor.results[0]["epoch"] == 1
    result = monitor.results[0]
    assert result["n"] == 200 and np.isfinite(result["fid"]) and result["fid"] > 0
    assert history.history["fid"] == [pytest.approx(result["fid"])]
    line = capsys.readouterr().out
    assert "FID (MNIST classifier features)" in line
    d_fake = history.history["d_fake"][0]
    assert f"| non-saturating: d_real {history.history['d_real'][0]:.3f}, d_fake {d_fake:.3f}" in line, "and what the objective logged"


def test_quality_monitor_gives_a_conditional_gan_balanced_labels(seeded, mnist_small):
    x, y = mnist_small
    gan = _tiny_gan(conditional=True)
    seen = []
    original = gan.sample

    def spy(z=None, labels=None):
        if labels is not None:  # the progress grid samples its fixed batch without labels
            seen.append(np.asarray(labels))
        return original(z, labels)

    gan.sample = spy
    monitor = metrics.QualityMonitor(every=1, n_samples=100, verbose=False)
    gan_utils.fit_gan(gan, x[:128], y[:128], epochs=1, batch_size=64, callbacks=[monitor], verbose=0)
    labels = np.concatenate(seen)
    assert len(monitor.results) == 1
    assert np.bincount(labels, minlength=10).tolist() == [10] * 10


def test_quality_monitor_scores_against_a_reference_in_other_features(seeded, mnist_small, capsys):
    x, _ = mnist_small
    gan = _tiny_gan(conditional=False)
    monitor = metrics.QualityMonitor(every=1, n_samples=100, reference=x[:200], features="random")
    history = gan_utils.fit_gan(gan, x[:128], epochs=1, batch_size=64, callbacks=[monitor], verbose=0)
    result = monitor.results[0]
    assert result["features"] == "random features (stand-in, dim 64, seed 0)" and result["n_reference"] == 100
    assert "class_kl" not in result and history.history["fid"] == [pytest.approx(result["fid"])]
    floor = monitor.floor()  # the reference's first 100 against its next 100
    assert floor["fid"] == pytest.approx(metrics.compare(x[:100], x[100:200], features="random")["fid"], rel=1e-4)
    assert 0 < floor["fid"] < result["fid"], "real against real scores better than an untrained generator"
    assert f"(real-vs-real floor {floor['fid']:.2f})" in capsys.readouterr().out


def test_quality_monitor_with_digit_features_keeps_the_class_scores(seeded, mnist_small):
    x, _ = mnist_small
    monitor = metrics.QualityMonitor(every=1, n_samples=100, reference=x[:100], features="digits", verbose=False)
    gan_utils.fit_gan(_tiny_gan(conditional=False), x[:128], epochs=1, batch_size=64, callbacks=[monitor], verbose=0)
    assert {"fid", "class_kl", "confidence"} <= set(monitor.results[0]) and monitor.floor() is None, "100 images: no floor"


def test_quality_monitor_refuses_references_that_do_not_fit(mnist_small):
    x, _ = mnist_small
    with pytest.raises(ValueError, match="features='random' needs reference="):
        metrics.QualityMonitor(features="random")
    with pytest.raises(ValueError, match="reference holds 50 images but the monitor scores n_samples=100"):
        metrics.QualityMonitor(n_samples=100, reference=x[:50], features="random")
    monitor = metrics.QualityMonitor(n_samples=100, reference=np.zeros((100, 32, 32, 3), "float32"), features="random")
    monitor.set_model(_tiny_gan(conditional=False))
    with pytest.raises(ValueError, match=r"reference images have shape \(32, 32, 3\) but this GAN makes samples of shape \(28, 28, 1\)"):
        monitor.on_train_begin()


def test_quality_monitor_refuses_a_model_that_is_not_a_gan():
    monitor = metrics.QualityMonitor()
    monitor.set_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
    with pytest.raises(TypeError, match="gan_utils.GAN"):
        monitor.on_train_begin()
    with pytest.raises(ValueError, match="every"):
        metrics.QualityMonitor(every=0)


def test_nearest_real_finds_an_exact_copy_first():
    x, _ = gan_utils.load_mnist(subset=300, seed=5)
    idx, dist = metrics.nearest_real(x[[7, 42]], x, k=3)
    assert idx[:, 0].tolist() == [7, 42] and np.allclose(dist[:, 0], 0, atol=1e-2)
    assert np.all(np.diff(dist, axis=1) >= 0) and np.all(dist[:, 1] > 1.0)


def test_nearest_real_refuses_k_larger_than_the_reference():
    x, _ = gan_utils.load_mnist(subset=4, seed=5)
    with pytest.raises(ValueError, match="more than the 4 reference images"):
        metrics.nearest_real(x, x, k=5)


def test_conditional_accuracy_counts_what_the_classifier_reads():
    gan_utils.set_seed(0)
    g = gan_utils.build_conditional_generator(8, width=4)  # untrained: it draws noise, not digits
    acc = metrics.conditional_accuracy(g, n_per_class=20)
    assert acc["confusion"].shape == (10, 10) and acc["confusion"].sum() == 200
    assert acc["confusion"].sum(axis=1).tolist() == [20] * 10
    assert np.allclose(acc["per_class"], acc["confusion"].diagonal() / 20)
    assert acc["overall"] < 0.5  # noise is not read as the digit asked for


# ------------------------------------------------------------------------------- copy check
def test_copy_check_finds_copies_and_clears_new_images_of_the_same_kind():
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (700, 4, 4, 1)).astype("float32")
    train, new = images[:500], images[500:]
    clear = metrics.copy_check(new, train)
    assert not clear["suspect"] and clear["share_below"] < 0.10 and len(clear["real"]) == 500
    copied = metrics.copy_check(np.concatenate([train[:50], new[:150]]), train)  # a quarter are copies
    assert copied["suspect"] and copied["share_below"] >= 0.25
    assert "more than twice as many" in metrics.format_copy_check(copied)
    assert "No sign of copying" in metrics.format_copy_check(clear)


def test_feature_scores_of_features_computed_once_equal_compare():
    rng = np.random.default_rng(1)
    a, b = (rng.uniform(-1, 1, (80, 8, 8, 1)).astype("float32") for _ in range(2))
    extractor = gan_utils.features.get_extractor("random", image_shape=(8, 8, 1))
    direct = metrics.compare(a, b, features=extractor)
    once = metrics.feature_scores(extractor(a), extractor(b))
    assert once == {k: direct[k] for k in ("fid", "precision", "recall")}
