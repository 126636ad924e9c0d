"""How good are the samples? FID, precision and recall in a network's features; digits by default.

A GAN's losses do not say whether its images are good, so the series measures samples with a small
convolutional classifier trained on MNIST (``files/classifier/mnist_classifier.json`` and its
``.weights.npz``, made by
``python scripts/train_classifier.py``; its model card sits beside it). From the classifier's
128-number ``features`` layer and its class probabilities we compute:

* **FID (MNIST classifier features)**: the Fréchet distance between Gaussians fitted to the
  features of real and generated images (Heusel et al. 2017). *This is not the Inception FID of
  papers*: the features come from our MNIST classifier, so the numbers are only comparable with
  other numbers from this module, at the same number of images (FID is biased upwards for small
  samples). Lower is better; real-versus-real gives the floor (:func:`real_floor`).
* **precision and recall** (Kynkäänniemi et al. 2019): the fraction of generated images that fall
  inside the k-nearest-neighbour balls of the real images (fidelity), and the fraction of real
  images inside the balls of the generated ones (coverage, low under mode collapse).
* **class histogram**: the share of each digit among the classifier's predictions, its KL
  divergence from uniform (a mode-collapse alarm: about 0.1 means roughly one digit of ten is
  missing; ``log 10 = 2.30`` means a single digit) and the mean classifier confidence.

:func:`evaluate` returns all of them at once. :class:`QualityMonitor` is a Keras callback that
generates from a :class:`gan_utils.GAN` every few epochs and calls :func:`evaluate`. It lives here
rather than in ``callbacks`` on purpose: it is a thin wrapper over :func:`evaluate`, and keeping it
here means the training rooms never need the classifier (it only duck-types the GAN it is attached to).

The classifier's files are checked against ``files/SHA256SUMS`` before they are opened; its
architecture is :func:`gan_utils.models.build_classifier`. Images are expected as the generator makes them: values in [-1, 1], shape
``(n, 28, 28, 1)`` or ``(n, 28, 28)``.

**Images that are not digits.** FID, precision and recall only need features, so any network
can give them: :func:`compare` scores two sets of images of any size and colour, and
:func:`evaluate` and :func:`nearest_real` take ``features=``: ``"inception"`` (Keras' InceptionV3
with ImageNet weights, the network of the FID in papers: comparable in kind with their numbers,
not identical), ``"random"`` (a fixed random network that needs no download), ``"digits"`` (the
classifier above, for digits of any size or colour) or a function. They live in
:mod:`gan_utils.features`.

Example:
    >>> from gan_utils import metrics
    >>> x, _ = gan_utils.load_mnist(split="train", subset=2000)  # doctest: +SKIP
    >>> round(metrics.evaluate(x)["fid"], 2)                       # doctest: +SKIP
    2.05
    >>> metrics.compare(real_photos, fake_photos, features="inception")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

# The module is imported as "extractors": "features" is the name of an argument below.
from gan_utils import config, pretrained
from gan_utils import features as extractors
from gan_utils.data import load_mnist  # data needs only config: no cycle
from gan_utils.models import CLASSIFIER_FEATURE_LAYER, build_classifier  # noqa: F401 (metrics.build_classifier, as before)

#: The shipped classifier and its model card.
CLASSIFIER_PATH: Path = config.FILES_DIR / "classifier" / "mnist_classifier.json"
CARD_PATH: Path = config.FILES_DIR / "classifier" / "mnist_classifier.md"
#: Name of the classifier's penultimate layer, whose activations are the features.
FEATURE_LAYER = CLASSIFIER_FEATURE_LAYER
IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
#: k of the k-nearest-neighbour precision and recall.
DEFAULT_K = 3
#: ``class_kl`` above this raises the mode-collapse alarm: one digit of ten missing gives log(10/9) = 0.105.
MODE_COLLAPSE_KL = 0.1
#: Images per forward pass and rows per block of the distance computations.
BATCH_SIZE = 1000
#: Said when images are not MNIST-sized.
_OTHER_IMAGES = (
    "To score images of another size or colour, pass features= to evaluate (e.g. features='inception' or "
    "'digits') with reference= real images, or use metrics.compare(real_images, fake_images)."
)


# ------------------------------------------------------------------------------- the classifier
@functools.lru_cache(maxsize=4)
def _load(path: str, sums_file: str, stamp: tuple) -> tuple[keras.Model, keras.Model]:
    """Verify, load and wrap the classifier once per (file, size, mtime)."""
    model = pretrained.load_network(path, sums_file=sums_file)
    try:
        features = model.get_layer(FEATURE_LAYER)
    except ValueError:
        raise ValueError(
            f"{path} has no layer named {FEATURE_LAYER!r}: it is not the project's classifier. "
            "Rebuild it with python scripts/train_classifier.py."
        ) from None
    if tuple(model.output.shape[1:]) != (NUM_CLASSES,) or tuple(model.inputs[0].shape[1:]) != IMAGE_SHAPE:
        raise ValueError(
            f"{path} maps {tuple(model.inputs[0].shape[1:])} to {tuple(model.output.shape[1:])}; the MNIST "
            f"classifier must map {IMAGE_SHAPE} images to {NUM_CLASSES} class probabilities."
        )
    both = keras.Model(model.input, [features.output, model.output], name="classifier_features")
    return model, both


def _loaded(path: str | os.PathLike | None, sums_file: str | os.PathLike | None) -> tuple[keras.Model, keras.Model]:
    path = Path(path) if path is not None else CLASSIFIER_PATH
    sums_file = Path(sums_file) if sums_file is not None else pretrained.CHECKSUMS
    if not path.is_file():
        raise FileNotFoundError(
            f"the MNIST classifier {path} is missing. It ships with the repository (files/classifier/); "
            "to rebuild it run: python scripts/train_classifier.py"
        )
    stamp = tuple((p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else None for p in pretrained.network_files(path))
    return _load(str(path.resolve()), str(sums_file.resolve()), stamp)


def load_classifier(path: str | os.PathLike | None = None, sums_file: str | os.PathLike | None = None) -> keras.Model:
    """Return the trained MNIST classifier (cached), after checking its SHA-256 checksum.

    The saved network (default ``files/classifier/mnist_classifier.json`` and its ``.weights.npz``)
    must match its lines in ``sums_file`` (default ``files/SHA256SUMS``); a changed or damaged file
    raises ``ValueError`` and is never opened. Input: images in [-1, 1], shape
    ``(n, 28, 28, 1)``; output: 10 class probabilities.

    Example:
        >>> clf = load_classifier()                     # doctest: +SKIP
        >>> clf.get_layer("features").output.shape[-1]  # doctest: +SKIP
        128
    """
    return _loaded(path, sums_file)[0]


def check_images(images: object, name: str = "images") -> np.ndarray:
    """Validate a batch of MNIST-sized images in [-1, 1] and return it as float32 ``(n, 28, 28, 1)``.

    Raises ``TypeError``/``ValueError`` that say what was wrong and how to fix it (wrong shape,
    uint8 pixels, values outside [-1, 1], NaN, an empty batch): :func:`gan_utils.features.check_images`
    with the shape ``(28, 28, 1)``.

    Example:
        >>> check_images(np.zeros((2, 28, 28))).shape
        (2, 28, 28, 1)
    """
    return extractors.check_images(images, name, shape=IMAGE_SHAPE, hint=_OTHER_IMAGES)


def classifier_outputs(images: object, batch_size: int = BATCH_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Run the classifier once: return ``(features, probabilities)``, shapes ``(n, 128)`` and ``(n, 10)``.

    Example:
        >>> feats, probs = classifier_outputs(np.full((4, 28, 28, 1), -1.0))  # doctest: +SKIP
        >>> feats.shape, probs.shape                                         # doctest: +SKIP
        ((4, 128), (4, 10))
    """
    x = check_images(images)
    both = _loaded(None, None)[1]
    feats, probs = [], []
    for start in range(0, len(x), batch_size):
        f, p = both(x[start : start + batch_size], training=False)
        feats.append(np.asarray(f))
        probs.append(np.asarray(p))
    return np.concatenate(feats), np.concatenate(probs)


def classifier_features(images: object) -> np.ndarray:
    """Return the classifier's ``features`` activations, shape ``(n, 128)``, for images in [-1, 1].

    Example:
        >>> x, _ = gan_utils.load_mnist(split="test", subset=100)  # doctest: +SKIP
        >>> classifier_features(x).shape                          # doctest: +SKIP
        (100, 128)
    """
    return classifier_outputs(images)[0]


def predict_classes(images: object) -> np.ndarray:
    """Return the classifier's predicted digit (0-9) for each image in [-1, 1].

    Example:
        >>> x, y = gan_utils.load_mnist(split="test", subset=100)  # doctest: +SKIP
        >>> float((predict_classes(x) == y).mean())               # doctest: +SKIP
        0.99
    """
    return classifier_outputs(images)[1].argmax(axis=1)


# ------------------------------------------------------------------------------------- distances
def _check_features(a: object, name: str) -> np.ndarray:
    x = np.asarray(a, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must be a 2-D array (n >= 2 samples, d features), got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contain NaN or infinite values.")
    return x


def _sqrtm_psd(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix via its eigendecomposition."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets: the FID formula.

    ``|mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))``. Applied to
    :func:`classifier_features` this is the *FID (MNIST classifier features)*, not the Inception
    FID reported in papers: compare it only with other numbers from this module at the same number
    of images. The trace of ``(S_a S_b)^(1/2)`` is computed as ``tr((sqrt(S_a) S_b sqrt(S_a))^(1/2))``,
    square roots of symmetric positive semi-definite matrices by eigendecomposition (small negative
    eigenvalues from rounding clipped to 0), in float64; the result is never negative.

    Example:
        >>> a = np.random.default_rng(0).normal(size=(500, 4))
        >>> round(frechet_distance(a, a), 6), round(frechet_distance(a, a + 1.0), 6)
        (0.0, 4.0)
    """
    a = _check_features(feats_a, "feats_a")
    b = _check_features(feats_b, "feats_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feats_a has {a.shape[1]} features per sample but feats_b has {b.shape[1]}: use the same extractor.")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    root_a = _sqrtm_psd(cov_a)
    middle = root_a @ cov_b @ root_a
    eigen = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    trace_sqrt = float(np.sqrt(np.clip(eigen, 0.0, None)).sum())
    value = float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_sqrt)
    return max(value, 0.0)


def _squared_norms(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


def _block_distances(query: np.ndarray, query_sq: np.ndarray, ref: np.ndarray, ref_sq: np.ndarray) -> np.ndarray:
    d = query_sq[:, None] + ref_sq[None, :] - 2.0 * (query @ ref.T)
    return np.maximum(d, 0.0, out=d)


def knn_radii(features: np.ndarray, k: int = DEFAULT_K, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Squared distance from each sample to its k-th nearest *other* sample of the same set.

    Computed in blocks of ``batch_size`` rows, so 10,000 x 10,000 needs about 40 MB at a time.

    Example:
        >>> knn_radii(np.array([[0.0], [1.0], [3.0]]), k=1).tolist()
        [1.0, 1.0, 4.0]
    """
    k = _check_k(k)
    x = np.asarray(features, dtype=np.float32)
    if x.ndim != 2 or len(x) <= k:
        raise ValueError(f"need a 2-D array of more than k={k} samples for k-nearest neighbours, got shape {x.shape}.")
    sq = _squared_norms(x)
    radii = np.empty(len(x), dtype=np.float32)
    for start in range(0, len(x), batch_size):
        stop = min(start + batch_size, len(x))
        d = _block_distances(x[start:stop], sq[start:stop], x, sq)
        rows = np.arange(stop - start)
        d[rows, start + rows] = -1.0  # the sample itself: always the nearest, then skipped
        radii[start:stop] = np.partition(d, k, axis=1)[:, k]
    return radii


def _coverage(query: np.ndarray, ref: np.ndarray, ref_radii: np.ndarray, batch_size: int) -> float:
    """Fraction of ``query`` points inside at least one ball (centre ``ref[j]``, squared radius ``ref_radii[j]``)."""
    query_sq, ref_sq = _squared_norms(query), _squared_norms(ref)
    inside = 0
    for start in range(0, len(query), batch_size):
        stop = min(start + batch_size, len(query))
        d = _block_distances(query[start:stop], query_sq[start:stop], ref, ref_sq)
        inside += int(np.count_nonzero((d <= ref_radii[None, :]).any(axis=1)))
    return inside / len(query)


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer (3 is usual), got {k!r}.")
    return int(k)


def precision_recall(
    real_features: np.ndarray,
    fake_features: np.ndarray,
    k: int = DEFAULT_K,
    batch_size: int = BATCH_SIZE,
    real_radii: np.ndarray | None = None,
) -> dict[str, float]:
    """k-nearest-neighbour precision and recall of generated samples (Kynkäänniemi et al. 2019).

    Each real sample gets a ball reaching its k-th nearest real neighbour; *precision* is the share
    of generated samples inside at least one real ball (are the fakes realistic?). Symmetrically,
    *recall* is the share of real samples inside at least one ball of the generated set (is all of
    MNIST covered? Mode collapse lowers it). Both in [0, 1], higher is better. Blocked, so 10k x 10k
    runs in a few seconds in bounded memory. ``real_radii`` may pass ``knn_radii(real_features, k)``
    computed earlier (the default reference's radii are cached by :func:`evaluate`).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> real, fake = rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + 10.0
        >>> precision_recall(real, fake)
        {'precision': 0.0, 'recall': 0.0}
    """
    k = _check_k(k)
    real = np.asarray(real_features, dtype=np.float32)
    fake = np.asarray(fake_features, dtype=np.float32)
    for name, x in (("real_features", real), ("fake_features", fake)):
        if x.ndim != 2 or len(x) <= k:
            raise ValueError(f"{name} must be a 2-D array with more than k={k} samples, got shape {x.shape}.")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} contain NaN or infinite values.")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real_features have {real.shape[1]} features but fake_features {fake.shape[1]}: use the same extractor.")
    if real_radii is None:
        real_radii = knn_radii(real, k, batch_size)
    elif np.shape(real_radii) != (len(real),):
        raise ValueError(f"real_radii must have shape ({len(real)},), one radius per real sample; got {np.shape(real_radii)}.")
    precision = _coverage(fake, real, np.asarray(real_radii, dtype=np.float32), batch_size)
    recall = _coverage(real, fake, knn_radii(fake, k, batch_size), batch_size)
    return {"precision": precision, "recall": recall}


# -------------------------------------------------------------------------------- class balance
def class_histogram(classes: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Share of each class among predicted classes (e.g. from :func:`predict_classes`); sums to 1.

    Example:
        >>> class_histogram(np.array([0, 0, 1, 9])).tolist()
        [0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25]
    """
    c = np.asarray(classes)
    if c.ndim != 1 or c.size == 0 or not np.issubdtype(c.dtype, np.integer):
        raise ValueError(f"classes must be a non-empty 1-D array of integer class labels, got shape {c.shape}, dtype {c.dtype}.")
    if c.min() < 0 or c.max() >= num_classes:
        raise ValueError(f"classes must be in 0..{num_classes - 1}, got values from {c.min()} to {c.max()}.")
    return np.bincount(c, minlength=num_classes) / c.size


def kl_from_uniform(histogram: np.ndarray) -> float:
    """KL divergence (nats) of a class histogram from the uniform distribution: the mode-collapse alarm.

    0 for perfectly balanced classes; ``log(10/9) = 0.105`` when one digit of ten is missing;
    ``log 10 = 2.303`` when every image is the same digit. Real MNIST scores about 0.003.

    Example:
        >>> round(kl_from_uniform(np.full(10, 0.1)), 6), round(kl_from_uniform(np.eye(10)[3]), 3)
        (0.0, 2.303)
    """
    p = np.asarray(histogram, dtype=np.float64)
    if p.ndim != 1 or p.size < 2 or np.any(p < 0) or not math.isclose(p.sum(), 1.0, abs_tol=1e-6):
        raise ValueError(f"histogram must be a 1-D array of class shares summing to 1, got {p!r}.")
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] * p.size)))


# --------------------------------------------------------------------------------- the summary
def _reference_set(n_reference: int) -> tuple[np.ndarray, np.ndarray]:
    return load_mnist(split="test", subset=n_reference, seed=0)


@functools.lru_cache(maxsize=4)
def _reference_outputs(n_reference: int, classifier_key: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, y = _reference_set(n_reference)
    feats, probs = classifier_outputs(x)
    for a in (feats, probs, y):
        a.flags.writeable = False
    return feats, probs, y


def _classifier_key() -> tuple:
    stat = CLASSIFIER_PATH.stat() if CLASSIFIER_PATH.is_file() else None
    return (str(CLASSIFIER_PATH), stat.st_size if stat else None, stat.st_mtime_ns if stat else None)


def _check_count(name: str, n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"{name} must be an integer >= 2 (a few thousand for stable scores), got {n!r}.")
    return int(n)


def reference_outputs(n_reference: int = 10_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cached ``(features, probabilities, labels)`` of the MNIST test images used as reference.

    ``n_reference`` below 10,000 takes a fixed (seed 0) random subset of the test set.

    Example:
        >>> feats, probs, labels = reference_outputs()  # doctest: +SKIP
        >>> feats.shape, (probs.argmax(1) == labels).mean() > 0.99  # doctest: +SKIP
        ((10000, 128), True)
    """
    return _reference_outputs(_check_count("n_reference", n_reference), _classifier_key())


def classifier_accuracy() -> float:
    """Accuracy of the classifier on the 10,000 MNIST test images (from the cached reference outputs).

    Example:
        >>> classifier_accuracy() >= 0.99  # doctest: +SKIP
        True
    """
    _, probs, labels = reference_outputs(10_000)
    return float((probs.argmax(axis=1) == labels).mean())


@functools.lru_cache(maxsize=4)
def _reference_radii(n_reference: int, k: int, classifier_key: tuple) -> np.ndarray:
    radii = knn_radii(_reference_outputs(n_reference, classifier_key)[0], k)
    radii.flags.writeable = False
    return radii


def _summary(feats, probs, ref_feats, k: int, ref_radii: np.ndarray | None = None) -> dict:
    histogram = class_histogram(probs.argmax(axis=1))
    kl = kl_from_uniform(histogram)
    return {
        "fid": frechet_distance(ref_feats, feats),
        **precision_recall(ref_feats, feats, k, real_radii=ref_radii),
        "class_kl": kl,
        "mode_collapse": bool(kl > MODE_COLLAPSE_KL),
        "class_histogram": [float(v) for v in histogram],
        "confidence": float(probs.max(axis=1).mean()),
        "n": int(len(feats)),
        "n_reference": int(len(ref_feats)),
    }


def evaluate(
    images: object,
    reference: object | None = None,
    n_reference: int = 10_000,
    k: int = DEFAULT_K,
    features: str | Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict:
    """Score a batch of images (generator output, values in [-1, 1]) against real images.

    By default (``features=None``) the images are MNIST-sized digits, scored with the project's
    MNIST classifier against the MNIST test images. ``features`` measures in another network's
    features (:func:`gan_utils.features.get_extractor`): ``"inception"`` (InceptionV3, for colour
    images), ``"random"`` (the offline stand-in), ``"digits"`` (the classifier, for digits of any
    size or colour) or a function ``images -> (n, d) features``.

    Args:
        images: ``(n, h, w, c)`` (or ``(n, h, w)``), values in [-1, 1]; ``(n, 28, 28, 1)`` with
            ``features=None``. Use a few thousand.
        reference: real images of the same shape to compare with (with the classifier, digits of
            any size or colour). Default: the MNIST test images (their classifier features are
            cached); images that are not MNIST-sized need one, except with the classifier.
        n_reference: how many test images form the default reference (all 10,000 by default).
        k: neighbours for precision and recall.
        features: the feature extractor: None (the MNIST classifier), a name or a function.

    Returns:
        A dict: ``fid`` (FID, MNIST classifier features: lower is better, compare at equal ``n``),
        ``precision`` and ``recall`` (0-1, higher is better), ``class_kl`` (KL of the predicted-class
        histogram from uniform), ``mode_collapse`` (``class_kl > MODE_COLLAPSE_KL``),
        ``class_histogram`` (10 shares), ``confidence`` (mean top class probability), ``n`` and
        ``n_reference``. With ``features`` it also names them (``features``); the class scores come
        only from the classifier (``"digits"``/``"classifier"``): other extractors give ``fid``,
        ``precision``, ``recall``, ``n``, ``n_reference`` and ``features``.

    Example:
        >>> x, _ = gan_utils.load_mnist(split="train", subset=2000)  # doctest: +SKIP
        >>> scores = evaluate(x)                                      # doctest: +SKIP
        >>> scores["fid"] < 5 and scores["precision"] > 0.8           # doctest: +SKIP
        True
        >>> sorted(evaluate(fake_photos, reference=photos, features="inception"))  # doctest: +SKIP
        ['features', 'fid', 'n', 'n_reference', 'precision', 'recall']
    """
    k = _check_k(k)
    if features is None:
        return _evaluate_with_classifier(check_images(images), reference, n_reference, k)
    x = extractors.check_images(images)
    extractor = extractors.get_extractor(features, image_shape=x.shape[1:])
    ref = None if reference is None else extractors.check_images(reference, "reference")
    if extractor.kind == "classifier":  # digits of any size or colour on both sides, brought to MNIST's
        prepare = extractor.prepare or check_images
        scores = _evaluate_with_classifier(prepare(x), None if ref is None else prepare(ref), n_reference, k)
        return {**scores, "features": extractor.name}
    if ref is not None:
        _check_same_shape(x, ref, "images", "reference")
    elif x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            f"images of shape {x.shape[1:]} need real images to compare with: pass reference= (real images of the "
            "same shape, e.g. from gan_utils.load_images(..., image_size=...)). Only MNIST-sized images have a "
            "default reference (the MNIST test images)."
        )
    if ref is None:
        ref = _reference_set(_check_count("n_reference", n_reference))[0]
    for name, a in (("images", x), ("reference", ref)):
        if len(a) <= k:
            raise ValueError(f"{name} needs more than k={k} images (a few thousand for stable scores), got {len(a)}.")
    ref_feats, feats = extractor(ref, "reference"), extractor(x)
    scores = _feature_scores(ref_feats, feats, k)
    return {**scores, "n": len(feats), "n_reference": len(ref_feats), "features": extractor.name}


def _evaluate_with_classifier(x: np.ndarray, reference: object | None, n_reference: int, k: int) -> dict:
    """:func:`evaluate` with the MNIST classifier: ``x`` already checked as MNIST-sized."""
    if len(x) <= k:
        raise ValueError(f"evaluate needs more than k={k} images (a few thousand for stable scores), got {len(x)}.")
    feats, probs = classifier_outputs(x)
    ref_radii = None
    if reference is None:
        n_reference = _check_count("n_reference", n_reference)
        ref_feats = reference_outputs(n_reference)[0]
        ref_radii = _reference_radii(n_reference, k, _classifier_key())
    else:
        ref = check_images(reference, "reference")
        if len(ref) <= k:
            raise ValueError(f"reference needs more than k={k} images, got {len(ref)}.")
        ref_feats = classifier_outputs(ref)[0]
    return _summary(feats, probs, ref_feats, k, ref_radii)


def _check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"{name_a} are images of shape {a.shape[1:]} but {name_b} {b.shape[1:]}: compare images of the same size "
            "and channels (load both with the same gan_utils.load_images(..., image_size=..., channels=...))."
        )


def _feature_scores(real_feats: np.ndarray, fake_feats: np.ndarray, k: int) -> dict:
    """FID, precision and recall of two feature sets; warns when FID's estimate is strongly biased."""
    n, d = min(len(real_feats), len(fake_feats)), real_feats.shape[1]
    if n < d:
        extractors._warn(
            f"FID from {n} images with {d} features each is strongly biased upwards (each covariance is estimated "
            f"from fewer images than features): compare it only with FIDs at the same number of images, and use "
            f"at least {d} images (papers use 10,000 or 50,000)."
        )
    return {"fid": frechet_distance(real_feats, fake_feats), **precision_recall(real_feats, fake_feats, k)}


def feature_scores(real_features: np.ndarray, fake_features: np.ndarray, k: int = DEFAULT_K) -> dict:
    """FID, precision and recall of two sets of features already computed, as :func:`compare` gives them.

    Compute a reference set's features once with an extractor and score several sets against it
    (the real-versus-real floor and the generated images) without computing them again.

    Example:
        >>> extractor = gan_utils.features.get_extractor("random", image_shape=(32, 32, 3))  # doctest: +SKIP
        >>> reference = extractor(real_a)                                              # doctest: +SKIP
        >>> floor = feature_scores(reference, extractor(real_b))                       # doctest: +SKIP
    """
    real = _check_features(real_features, "real_features")
    fake = _check_features(fake_features, "fake_features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real_features have {real.shape[1]} features per image but fake_features {fake.shape[1]}: use one extractor for both.")
    return _feature_scores(real, fake, _check_k(k))


def compare(
    real_images: object,
    fake_images: object,
    features: str | Callable[[np.ndarray], np.ndarray] = "inception",
    k: int = DEFAULT_K,
    fallback: str | Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict:
    """FID, precision and recall of two sets of images of the same shape, in any extractor's features.

    For any images, not only digits: colour or grey, any size, values in [-1, 1] (as
    :func:`gan_utils.load_images` and a tanh generator give them). ``features`` is ``"inception"``
    (default: InceptionV3 with ImageNet weights, the network of the FID in papers; comparable in kind
    with them, not identical, see :func:`gan_utils.features.inception_extractor`), ``"random"``
    (the offline stand-in: numbers comparable only with each other), ``"digits"`` (the MNIST
    classifier) or a function ``images -> (n, d) features``. ``fallback`` (e.g. ``"random"``) is used,
    with one printed line saying so, when InceptionV3's weights cannot be downloaded; without it
    that raises :class:`gan_utils.features.FeatureWeightsUnavailable` saying what to do.

    FID is biased upwards for small sets: compare FIDs only at the same numbers of images, and use
    at least as many images as the extractor has features (2,048 for InceptionV3, a warning says
    so otherwise); papers use 10,000 or 50,000. Real against other real images of the same kind
    gives the floor a perfect generator would reach.

    Returns:
        ``{"fid", "precision", "recall", "n_real", "n_fake", "n" (= n_fake, as in :func:`evaluate`),
        "features" (the extractor's name), "comparable_with_papers" (True for InceptionV3 with ImageNet
        weights)}``.

    Example:
        >>> real = gan_utils.load_images("my_photos", image_size=64)                      # doctest: +SKIP
        >>> scores = compare(real[:1000], real[1000:2000], features="random")            # doctest: +SKIP
        >>> print(format_scores(scores))  # real against real: the floor a generator can reach  # doctest: +SKIP
    """
    k = _check_k(k)
    real = extractors.check_images(real_images, "real_images")
    fake = extractors.check_images(fake_images, "fake_images")
    _check_same_shape(real, fake, "real_images", "fake_images")
    for name, a in (("real_images", real), ("fake_images", fake)):
        if len(a) <= k:
            raise ValueError(
                f"{name} holds {len(a)} images: precision and recall need more than k={k} in each set, and FID needs "
                "at least as many as the extractor has features (2,048 for InceptionV3) to be worth reading; "
                "use a few thousand (papers use 10,000 or 50,000)."
            )
    extractor = extractors.get_extractor(features, image_shape=real.shape[1:], fallback=fallback)
    real_feats, fake_feats = extractor(real, "real_images"), extractor(fake, "fake_images")
    return {
        **_feature_scores(real_feats, fake_feats, k),
        "n_real": len(real),
        "n_fake": len(fake),
        "n": len(fake),
        "features": extractor.name,
        "comparable_with_papers": bool(extractor.comparable_with_papers),
    }


@functools.lru_cache(maxsize=8)
def _real_floor(n: int, seed: int, n_reference: int, k: int, classifier_key: tuple) -> dict:
    x, _ = load_mnist(split="train", subset=n, seed=seed)
    return evaluate(x, n_reference=n_reference, k=k)


def real_floor(n: int = 10_000, seed: int = 0, n_reference: int = 10_000, k: int = DEFAULT_K) -> dict:
    """The real-versus-real floor: :func:`evaluate` of ``n`` real *training* images (cached).

    A perfect generator scores about this, not 0: two samples of real digits differ, and FID's
    estimate is biased upwards for small ``n``. So compare a generator's FID with the floor at the
    same ``n`` (``QualityMonitor`` does). The floor is itself one random draw: other ``seed`` values
    give other samples (at ``n=2000`` the FID floor ranges over about 2 to 4.5). The values for the
    shipped classifier, with that spread, are in its model card (``files/classifier/mnist_classifier.md``).

    Example:
        >>> floor = real_floor(2000)                                    # doctest: +SKIP
        >>> print(f"FID {floor['fid']:.2f} (real-vs-real floor at n=2000)")  # doctest: +SKIP
        FID 2.05 (real-vs-real floor at n=2000)
    """
    n = _check_count("n", n)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    result = _real_floor(n, int(seed), _check_count("n_reference", n_reference), _check_k(k), _classifier_key())
    return {key: (list(v) if isinstance(v, list) else v) for key, v in result.items()}


def format_scores(scores: dict, floor: dict | None = None) -> str:
    """One line for a dict from :func:`evaluate` or :func:`compare`, optionally with the real-vs-real FID floor.

    The FID is labelled with the features it was computed from (the MNIST classifier's unless
    ``scores["features"]`` names others); the class scores are shown when there are some.

    Example:
        >>> s = {"fid": 12.3, "precision": 0.8, "recall": 0.6, "class_kl": 0.02, "mode_collapse": False,
        ...      "confidence": 0.95, "n": 2000}
        >>> format_scores(s)
        'FID (MNIST classifier features) 12.30, precision 0.800, recall 0.600, class KL 0.020, confidence 0.950 [n=2000]'
        >>> format_scores({"fid": 31.0, "precision": 0.5, "recall": 0.4, "n": 500, "features": "random features"})
        'FID (random features) 31.00, precision 0.500, recall 0.400 [n=500]'
    """
    fid = f"FID ({scores.get('features', 'MNIST classifier features')}) {scores['fid']:.2f}"
    if floor is not None:
        fid += f" (real-vs-real floor {floor['fid']:.2f})"
    line = f"{fid}, precision {scores['precision']:.3f}, recall {scores['recall']:.3f}"
    if "class_kl" in scores:
        alarm = " MODE COLLAPSE?" if scores.get("mode_collapse") else ""
        line += f", class KL {scores['class_kl']:.3f}{alarm}, confidence {scores['confidence']:.3f}"
    return f"{line} [n={scores['n']}]"


# ------------------------------------------------------------------------------------ callback
class QualityMonitor(keras.callbacks.Callback):
    """Every ``every`` epochs, generate ``n_samples`` images from the GAN being trained and score them.

    Attach it to a :class:`gan_utils.GAN` (``fit_gan(..., callbacks=[QualityMonitor(every=2)])``).
    By default it scores MNIST digits with the project's classifier against the MNIST test images.
    For your own images pass ``reference`` (real images of the GAN's sample shape, e.g. from
    :func:`gan_utils.load_images`) and ``features`` (``"inception"``, ``"random"``, ``"digits"`` or a
    function, as in :func:`evaluate`); with an extractor other than the digit classifier their features
    are computed once, when training begins.
    The same seeded latent batch is used each time (a conditional GAN gets balanced labels 0-9), so
    scores from different epochs are comparable; images come from ``gan.sample`` (the moving-average
    generator when the GAN has one). Each evaluation prints one line (unless ``verbose=False``), is
    appended to ``results`` (the :func:`evaluate` dict plus ``epoch``), and its scalar scores are added
    to the epoch's logs as ``fid``, ``precision``, ``recall``, ``class_kl`` and ``confidence``, so they
    appear in ``history.history`` (one entry per *evaluated* epoch).

    Args:
        every: evaluate after every ``every``-th epoch.
        n_samples: generated images per evaluation (2,000 takes a few seconds on a CPU).
        seed: seeds the latent batch.
        show_floor: also print the real-vs-real floor at ``n_samples`` (computed once, cached). With
            ``reference``, the floor is the first ``n_samples`` reference images against the next
            ``n_samples``, so it is shown only when ``reference`` holds at least twice ``n_samples``.
        reference: real images to score against, ``(m, h, w, c)`` in [-1, 1], the GAN's sample shape;
            the first ``n_samples`` are used (shuffle them first). None: the MNIST test images.
        features: the feature extractor for ``reference`` (a name or a function, see
            :func:`gan_utils.features.get_extractor`). None: the MNIST classifier.
        fallback: used instead of ``features="inception"`` when InceptionV3's weights cannot be
            loaded (one printed line says so), e.g. ``"random"``; without it that raises.

    Example:
        >>> monitor = QualityMonitor(every=2, n_samples=2000)                  # doctest: +SKIP
        >>> history = fit_gan(gan, x, epochs=10, callbacks=[monitor])          # doctest: +SKIP
        >>> [r["epoch"] for r in monitor.results], "fid" in history.history   # doctest: +SKIP
        ([2, 4, 6, 8, 10], True)
        >>> photos = gan_utils.load_images("my_photos", image_size=64)          # doctest: +SKIP
        >>> monitor = QualityMonitor(every=5, reference=photos, features="inception", fallback="random")  # doctest: +SKIP
    """

    LOGGED = ("fid", "precision", "recall", "class_kl", "confidence")

    def __init__(
        self,
        every: int = 1,
        n_samples: int = 2000,
        seed: int = 0,
        k: int = DEFAULT_K,
        show_floor: bool = True,
        verbose: bool = True,
        reference: object | None = None,
        features: str | Callable[[np.ndarray], np.ndarray] | None = None,
        fallback: str | Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive number of epochs, got {every!r}.")
        self.k = _check_k(k)
        n_samples = _check_count("n_samples", n_samples)
        if n_samples <= self.k:
            raise ValueError(f"n_samples must be larger than k={self.k}, got {n_samples}.")
        self.every, self.n_samples, self.seed = every, n_samples, int(seed)
        self.show_floor, self.verbose = show_floor, verbose
        self.results: list[dict] = []
        self.reference = None
        if reference is not None:
            self.reference = extractors.check_images(reference, "reference")
            if len(self.reference) < n_samples:
                raise ValueError(
                    f"reference holds {len(self.reference)} images but the monitor scores n_samples={n_samples} "
                    f"against as many real ones: pass at least {n_samples} reference images, or a smaller n_samples."
                )
        if features is not None and self.reference is None:
            raise ValueError(
                f"features={features!r} needs reference= (real images of the GAN's sample shape to compare with); "
                "without both the monitor scores MNIST digits with the project's classifier."
            )
        self.features, self.fallback = features, fallback
        self._extractor: extractors.FeatureExtractor | None = None
        self._reference_features: np.ndarray | None = None
        self._floor: dict | None = None

    def _check_model(self) -> None:
        gan = self.model
        needed = ("sample", "latent_dim", "conditional", "sample_shape")
        if gan is None or not all(hasattr(gan, a) for a in needed):
            raise TypeError(
                f"QualityMonitor must be attached to a gan_utils.GAN (fit_gan(gan, x, callbacks=[...])), "
                f"got {type(gan).__name__}."
            )
        if self.reference is not None:
            if self.reference.shape[1:] != tuple(gan.sample_shape):
                raise ValueError(
                    f"QualityMonitor's reference images have shape {self.reference.shape[1:]} but this GAN makes "
                    f"samples of shape {tuple(gan.sample_shape)}: load them at the GAN's size and channels."
                )
        elif tuple(gan.sample_shape) != IMAGE_SHAPE:
            raise ValueError(
                f"QualityMonitor scores MNIST images of shape {IMAGE_SHAPE}, but this GAN makes samples of "
                f"shape {tuple(gan.sample_shape)}: pass reference= (real images of that shape) and features= "
                "(e.g. 'inception', or 'random' offline)."
            )

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._check_model()
        if self.reference is None or self._extractor is not None:
            return
        features = "digits" if self.features is None else self.features
        self._extractor = extractors.get_extractor(features, image_shape=self.reference.shape[1:], fallback=self.fallback)
        if self._extractor.kind != "classifier":  # the classifier path scores through evaluate()
            self._reference_features = self._extractor(self.reference[: self.n_samples], "reference")

    def score(self, images: np.ndarray) -> dict:
        """Score generated ``images`` as :func:`evaluate` does, against the monitor's reference."""
        if self.reference is None:
            return evaluate(images, k=self.k)
        if self._reference_features is None:
            return evaluate(images, reference=self.reference[: self.n_samples], k=self.k, features=self._extractor)
        scores = _feature_scores(self._reference_features, self._extractor(images), self.k)
        return {**scores, "n": len(images), "n_reference": len(self._reference_features), "features": self._extractor.name}

    def floor(self) -> dict | None:
        """The real-vs-real floor at ``n_samples`` (cached), or None when the reference is too small for one."""
        if self.reference is None:
            return real_floor(self.n_samples, k=self.k)
        if self._floor is None and len(self.reference) >= 2 * self.n_samples:
            self._floor = self.score(self.reference[self.n_samples : 2 * self.n_samples])
        return self._floor

    def generate(self) -> np.ndarray:
        """Generate the monitor's seeded batch of ``n_samples`` images from the GAN."""
        gan = self.model
        z = np.random.default_rng(self.seed).standard_normal((self.n_samples, gan.latent_dim)).astype("float32")
        labels = np.arange(self.n_samples) % (gan.num_classes or NUM_CLASSES) if gan.conditional else None
        parts = []
        for start in range(0, self.n_samples, BATCH_SIZE):
            stop = start + BATCH_SIZE
            parts.append(gan.sample(z[start:stop], None if labels is None else labels[start:stop]))
        return np.concatenate(parts)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every:
            return
        self._check_model()
        if self.reference is not None and self._extractor is None:  # scored without fit's on_train_begin
            self.on_train_begin()
        scores = self.score(self.generate())
        self.results.append({"epoch": epoch + 1, **scores})
        if logs is not None:
            logs.update({key: float(scores[key]) for key in self.LOGGED if key in scores})
        if self.verbose:
            floor = self.floor() if self.show_floor else None
            # Under Keras' progress bar (verbose=1) the bar's line is still open: start a new one.
            newline = "\n" if (self.params or {}).get("verbose") in (1, "auto") else ""
            print(f"{newline}[QualityMonitor] epoch {epoch + 1}: {format_scores(scores, floor)}{self._objective_logs(logs)}", flush=True)

    def _objective_logs(self, logs: dict | None) -> str:
        """`` | wasserstein-gp: w_estimate 1.234, ...``: what the GAN's objective logged this epoch."""
        objective = getattr(self.model, "objective", None)
        if objective is None or not logs:
            return ""
        values = [f"{name} {float(logs[name]):.3f}" for name in objective.log_names if name in logs]
        return f" | {objective.name}: {', '.join(values)}" if values else ""


def nearest_real(
    images: object,
    reference: object,
    k: int = 5,
    batch_size: int = BATCH_SIZE,
    features: str | Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Find, for each image, the ``k`` nearest reference images: by pixels, or in an extractor's features.

    The classic check of whether a generator copies its training set: if its samples were
    memorised, each would have a training image at almost zero distance. Compare the distances
    with those between real test images and the training set (``nearest_real(x_test, x_train)``).
    Pixel distance (default) finds near-copies; distance in features (``features="inception"``,
    ``"digits"``, ``"random"`` or a function, see :func:`gan_utils.features.get_extractor`) finds
    images that look alike to that network even when shifted or recoloured.

    Args:
        images: ``(n, h, w, c)`` (or ``(n, h, w)``) in [-1, 1] (e.g. generated images).
        reference: ``(m, h, w, c)`` in [-1, 1], the same shape (e.g. the training images).
        k: neighbours per image.
        batch_size: rows per block of the distance computation.
        features: None for Euclidean distance between pixels, or the extractor whose features
            are compared.

    Returns:
        ``(indices, distances)``, both ``(n, k)``, nearest first; indices point into ``reference``;
        distances are Euclidean, in pixels or in feature units.

    Example:
        >>> idx, dist = nearest_real(fake[:8], x_train, k=3)  # doctest: +SKIP
        >>> x_train[idx[0]]  # the three training digits closest to the first fake  # doctest: +SKIP
    """
    x = extractors.check_images(images)
    ref = extractors.check_images(reference, "reference")
    _check_same_shape(x, ref, "images", "reference")
    k = _check_k(k)
    if k > len(ref):
        raise ValueError(f"k={k} is more than the {len(ref)} reference images: lower k or pass more images.")
    if features is None:
        q, r = x.reshape(len(x), -1), ref.reshape(len(ref), -1)
    else:
        extractor = extractors.get_extractor(features, image_shape=x.shape[1:])
        q, r = extractor(x), extractor(ref, "reference")
    q_sq, r_sq = _squared_norms(q), _squared_norms(r)
    indices = np.empty((len(q), k), dtype=np.int64)
    distances = np.empty((len(q), k), dtype=np.float32)
    for start in range(0, len(q), batch_size):
        d2 = _block_distances(q[start : start + batch_size], q_sq[start : start + batch_size], r, r_sq)
        part = np.argpartition(d2, k - 1, axis=1)[:, :k]
        part_d = np.take_along_axis(d2, part, axis=1)
        order = np.argsort(part_d, axis=1)
        indices[start : start + batch_size] = np.take_along_axis(part, order, axis=1)
        distances[start : start + batch_size] = np.sqrt(np.maximum(np.take_along_axis(part_d, order, axis=1), 0.0))
    return indices, distances


def conditional_accuracy(generator: keras.Model, n_per_class: int = 1000, seed: int = 0, batch_size: int = BATCH_SIZE) -> dict:
    """How often the project's classifier reads a conditional generator's digit as the digit asked for.

    Draws ``n_per_class`` seeded latent vectors for each digit 0-9, generates with
    ``generator([z, labels], training=False)`` and classifies the results.

    Returns:
        ``{"per_class": (10,) accuracies, "overall": float, "confusion": (10, 10) counts (row: asked,
        column: read), "n_per_class": int}``.

    Example:
        >>> acc = conditional_accuracy(gan_utils.load_pretrained("cgan"))  # doctest: +SKIP
        >>> round(acc["overall"], 3)                                       # doctest: +SKIP
        0.98
    """
    if not isinstance(generator, keras.Model) or len(generator.inputs) != 2:
        raise TypeError("conditional_accuracy needs a conditional generator, called as generator([z, labels]).")
    n_per_class = _check_count("n_per_class", n_per_class)
    latent_dim = int(generator.inputs[0].shape[-1])
    z = np.random.default_rng(seed).standard_normal((NUM_CLASSES * n_per_class, latent_dim)).astype("float32")
    asked = np.repeat(np.arange(NUM_CLASSES, dtype="int32"), n_per_class)
    images = np.concatenate(
        [np.asarray(generator([z[i : i + batch_size], asked[i : i + batch_size]], training=False)) for i in range(0, len(z), batch_size)]
    )
    read = predict_classes(images)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (asked, read), 1)
    per_class = confusion.diagonal() / n_per_class
    return {"per_class": per_class, "overall": float(per_class.mean()), "confusion": confusion, "n_per_class": n_per_class}


#: The lower tail :func:`copy_check` compares: the distance below which 5 % of real images fall.
COPY_QUANTILE = 0.05


def copy_check(fake: object, train: object, quantile: float = COPY_QUANTILE, batch_size: int = BATCH_SIZE) -> dict:
    """Are generated images closer to the training set than new real images would be? Pixel distances, whole training set.

    Each generated image's distance to its nearest training image (all of them) is compared with
    the distance of each training image to its nearest *other* training image: every training image
    held out in turn, so that distance is what a new real picture of the same kind would have,
    without setting images aside. If the generator made new images of the kind, the two
    distributions match, and a share ``quantile`` of generated images falls below the real
    distances' ``quantile``; copies (and very smooth images, which sit near many) make that share larger.

    Returns:
        ``{"fake": distances (n,), "fake_nearest": index of each one's nearest training image,
        "real": held-out distances (m,), "threshold": the real distances' ``quantile``, "quantile",
        "share_below": share of generated images under the threshold, "suspect": share_below > 2 * quantile}``.

    Example:
        >>> train = np.random.default_rng(0).uniform(-1, 1, (300, 4, 4, 1)).astype("float32")
        >>> copy_check(train[:50], train)["share_below"]  # exact copies: all at distance 0
        1.0
    """
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 < quantile < 0.5:
        raise ValueError(f"quantile must be a share between 0 and 0.5 (e.g. 0.05), got {quantile!r}.")
    fake = extractors.check_images(fake, "fake")
    train = extractors.check_images(train, "train")
    if len(train) < 2:
        raise ValueError(f"train holds {len(train)} image: the held-out distances need at least 2 training images.")
    fake_idx, fake_d = nearest_real(fake, train, k=1, batch_size=batch_size)
    _, real_d = nearest_real(train, train, k=2, batch_size=batch_size)  # nearest is itself (or a duplicate): take the second
    fake_d, real_d = fake_d[:, 0].astype(np.float64), real_d[:, 1].astype(np.float64)
    threshold = float(np.quantile(real_d, quantile))
    share = float(np.mean(fake_d < threshold))
    return {"fake": fake_d, "fake_nearest": fake_idx[:, 0], "real": real_d, "threshold": threshold,
            "quantile": float(quantile), "share_below": share, "suspect": share > 2 * quantile}


def format_copy_check(result: dict) -> str:
    """The verdict of :func:`copy_check` in one paragraph, from its numbers."""
    q, share = result["quantile"], result["share_below"]
    said = (
        f"{100 * share:.1f} % of the {len(result['fake']):,} generated images are closer to a training image than "
        f"{100 * (1 - q):.0f} % of real images are to their nearest other training image (distance {result['threshold']:.2f}); "
        f"new real images would give about {100 * q:.0f} %."
    )
    if result["suspect"]:
        return said + (f" That is more than twice as many: look at the closest pairs, which are copies or smooth images "
                       "that sit near many training images.")
    return said + " No sign of copying in pixel distance (shifted or recoloured copies would need features to show)."
