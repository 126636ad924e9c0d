"""What checks a learner's work: a model or a loss written on a lesson's page against the library's.

A lesson writes its subject on the page (notebook 02 its MLP generator and discriminator, 03 its
DCGAN, 05 the label embedding and the projection head, 06 the hinge losses and the gradient
penalty) and then checks it here against the version every later lesson imports:

- :func:`check_model`: the same layers in the same order (class and the settings that change what
  a layer computes), the same number of parameters, and the same outputs from the same weights.
  On a mismatch it names the *first* difference, e.g. ``layer 3: page has Conv2DTranspose(64, 5,
  strides=2), library has Conv2DTranspose(64, 4, strides=2)``.
- :func:`check_loss`: a loss or a penalty written on the page against its ``gan_utils.losses``
  counterpart, on the same random inputs.
- :func:`check_train_step` (taught in notebook 02, defined in :mod:`gan_utils.gan`): a training
  step written on the page against ``GAN.train_step``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from gan_utils.gan import StepCheck, check_train_step

__all__ = ["ModelCheck", "LossCheck", "StepCheck", "check_model", "check_loss", "check_train_step", "describe_layer"]

#: Settings that do not change what a layer computes from given weights: left out of the comparison.
_IGNORED = {"name", "trainable", "dtype", "seed", "build_config", "autocast", "input_shape", "batch_input_shape"}
_IGNORED_SUFFIXES = ("_initializer", "_regularizer")
#: The settings a layer's description shows first, without their names (as one writes the layer).
_POSITIONAL = {
    "Dense": ("units",),
    "Conv2D": ("filters", "kernel_size"),
    "Conv2DTranspose": ("filters", "kernel_size"),
    "Dropout": ("rate",),
    "Reshape": ("target_shape",),
    "Embedding": ("input_dim", "output_dim"),
    "LeakyReLU": ("negative_slope",),
    "Activation": ("activation",),
    "Dot": ("axes",),
}


def _plain(value: object) -> object:
    """A config value in a comparable, readable form: lists as tuples, square sizes as one number,
    serialized Keras objects (activations, constraints) by their name and settings."""
    if isinstance(value, dict):
        if "class_name" in value and "config" in value:
            inner = value["config"]
            if isinstance(inner, dict) and value["class_name"] not in ("function",) and "layer" not in inner:
                settings = {k: _plain(v) for k, v in inner.items() if k not in _IGNORED}
                return (value["class_name"], tuple(sorted(settings.items())))
            return _plain(inner) if not isinstance(inner, dict) else value["class_name"]
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        items = tuple(_plain(v) for v in value)
        return items[0] if len(items) == 2 and items[0] == items[1] and isinstance(items[0], int) else items
    return value


def _settings(layer: keras.layers.Layer) -> dict:
    """The settings of ``layer`` that change what it computes, comparable across two models."""
    config = layer.get_config()
    return {
        k: _plain(v)
        for k, v in config.items()
        if k not in _IGNORED and not k.endswith(_IGNORED_SUFFIXES) and k != "layer"
    }


def _inner(layer: keras.layers.Layer) -> keras.layers.Layer | None:
    """The layer a wrapper (``SpectralNormalization``) wraps, or None."""
    return getattr(layer, "layer", None) if isinstance(layer, keras.layers.Wrapper) else None


def _defaults(layer: keras.layers.Layer, settings: dict) -> dict:
    """The settings of a fresh layer of the same class made from the positional settings only."""
    names = _POSITIONAL.get(type(layer).__name__, ())
    try:
        fresh = type(layer)(**{n: layer.get_config()[n] for n in names})
        return _settings(fresh)
    except Exception:  # a class that needs more to be built: show every setting
        return {}


def describe_layer(layer: keras.layers.Layer) -> str:
    """How ``layer`` would be written: its class, its main settings, and those not at their default.

    Example:
        >>> describe_layer(keras.layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False))
        "Conv2DTranspose(64, 4, strides=2, padding='same', use_bias=False)"
        >>> describe_layer(keras.layers.SpectralNormalization(keras.layers.Dense(1)))
        'SpectralNormalization(Dense(1))'
    """
    settings = _settings(layer)
    names = _POSITIONAL.get(type(layer).__name__, ())
    defaults = _defaults(layer, settings)
    parts = [repr(settings[n]) if isinstance(settings.get(n), str) else str(settings.get(n)) for n in names]
    inner = _inner(layer)
    if inner is not None:
        parts.insert(0, describe_layer(inner))
        defaults = _settings(type(layer)(keras.layers.Dense(1)))
    parts += [f"{k}={v!r}" for k, v in settings.items() if k not in names and (k not in defaults or defaults[k] != v)]
    return f"{type(layer).__name__}({', '.join(parts)})"


def _compared_layers(model: keras.Model) -> list[keras.layers.Layer]:
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _same_layer(a: keras.layers.Layer, b: keras.layers.Layer) -> bool:
    if type(a) is not type(b) or _settings(a) != _settings(b):
        return False
    inner_a, inner_b = _inner(a), _inner(b)
    return (inner_a is None) == (inner_b is None) and (inner_a is None or _same_layer(inner_a, inner_b))


def _random_inputs(model: keras.Model, batch: int, seed: int) -> list[np.ndarray]:
    """One random batch for each of ``model``'s inputs: standard normal floats, integer labels
    from the model's label ``Embedding`` (0 to its ``input_dim`` - 1)."""
    rng = np.random.default_rng(seed)
    classes = min((layer.input_dim for layer in model.layers if isinstance(layer, keras.layers.Embedding)), default=2)
    inputs = []
    for tensor in model.inputs:
        shape = (batch,) + tuple(tensor.shape[1:])
        if "int" in str(tensor.dtype):
            inputs.append(rng.integers(0, classes, size=shape).astype(str(tensor.dtype)))
        else:
            inputs.append(rng.standard_normal(shape).astype("float32"))
    return inputs


@dataclass(frozen=True)
class ModelCheck:
    """How a model written on a page compares with the library's (:func:`check_model`).

    Attributes:
        matches: True when the layers, the parameter count and the outputs all agree.
        first_difference: the first thing that differs, in words ("" when they match).
        layers: how many layers were compared (inputs not counted).
        page_params, library_params: the number of parameters of each model.
        largest_output_difference: the largest ``|page - library|`` over the outputs of both models
            from the same weights on the same random inputs (None when the layers already differ).
    """

    matches: bool
    first_difference: str
    layers: int
    page_params: int
    library_params: int
    largest_output_difference: float | None

    def __str__(self) -> str:
        lines = [f"layers compared: {self.layers} | parameters: page {self.page_params:,}, library {self.library_params:,}"]
        if self.largest_output_difference is not None:
            lines.append(f"same weights, same inputs: outputs differ by at most {self.largest_output_difference:.1e}")
        if self.matches:
            lines.append("verdict: the page's model is the library's (same layers, same parameters, same outputs)")
        else:
            lines.append(f"verdict: the page's model is NOT the library's. First difference: {self.first_difference}")
        return "\n".join(lines)


def check_model(page: keras.Model, library: keras.Model, *, seed: int = 0, atol: float = 1e-5) -> ModelCheck:
    """Compare a model written on a lesson's page with the one the library's builder makes.

    Three checks, in order, and the first difference found is named: (1) the same layers in the
    same order (inputs not counted): each one's class and the settings that change what it computes
    (units, filters, kernel size, strides, padding, activation, bias, batch norm's momentum, dropout's
    rate, ...; not names or initializers), with the number of each layer counted from 1; (2) the
    same parameter count and weight shapes; (3) the same outputs: the library's weights are copied
    into the page's model and both are called (``training=False``) on the same random inputs, then the
    page's own weights are put back. A ``keras.Sequential`` on the page can match a functional model
    of the library: only the layers and what they compute count.

    Example:
        >>> from gan_utils.models import build_mlp_discriminator
        >>> def page_discriminator(units):
        ...     return keras.Sequential([keras.Input((2,)), keras.layers.Flatten(), keras.layers.Dense(units),
        ...                              keras.layers.LeakyReLU(0.2), keras.layers.Dropout(0.3), keras.layers.Dense(1)])
        >>> check_model(page_discriminator(16), build_mlp_discriminator((2,), (16,))).matches
        True
        >>> check_model(page_discriminator(8), build_mlp_discriminator((2,), (16,))).first_difference
        'layer 2: page has Dense(8), library has Dense(16)'
    """
    for name, model in (("page", page), ("library", library)):
        if not isinstance(model, keras.Model):
            raise TypeError(f"check_model compares two keras.Model objects; {name} is a {type(model).__name__}.")
        if not model.built or not getattr(model, "inputs", None):
            raise ValueError(
                f"the {name} model has no inputs yet: start it with keras.Input(shape) (Sequential: "
                "keras.Sequential([keras.Input(shape), ...])), so its layers are built and can be compared."
            )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    page_layers, library_layers = _compared_layers(page), _compared_layers(library)
    page_params, library_params = int(page.count_params()), int(library.count_params())

    def result(difference: str, output_difference: float | None = None) -> ModelCheck:
        return ModelCheck(not difference, difference, max(len(page_layers), len(library_layers)), page_params, library_params, output_difference)

    for number, (mine, theirs) in enumerate(zip(page_layers, library_layers), start=1):
        if not _same_layer(mine, theirs):
            return result(f"layer {number}: page has {describe_layer(mine)}, library has {describe_layer(theirs)}")
    if len(page_layers) != len(library_layers):
        number = min(len(page_layers), len(library_layers)) + 1
        if len(page_layers) < len(library_layers):
            return result(f"layer {number}: page has no more layers, library has {describe_layer(library_layers[number - 1])}")
        return result(f"layer {number}: page has {describe_layer(page_layers[number - 1])}, library has no more layers")
    for number, (mine, theirs) in enumerate(zip(page_layers, library_layers), start=1):
        shapes = [tuple(w.shape) for w in mine.weights], [tuple(w.shape) for w in theirs.weights]
        if shapes[0] != shapes[1]:
            return result(
                f"layer {number} ({describe_layer(mine)}): page's weights have shapes {shapes[0]}, library's {shapes[1]} "
                "(its input differs: look at the layers before it, and at the order inputs are joined)"
            )
    if page_params != library_params:  # shapes agree layer by layer, so only a weight outside the layers differs
        return result(f"parameters: page has {page_params:,}, library has {library_params:,}")
    if len(page.inputs) != len(library.inputs):
        return result(f"inputs: page takes {len(page.inputs)}, library takes {len(library.inputs)}")

    inputs = _random_inputs(library, 8, seed)
    own = [np.array(w) for w in page.get_weights()]
    try:
        page.set_weights(library.get_weights())
        feed = inputs if len(inputs) > 1 else inputs[0]
        mine = np.asarray(page(feed, training=False))
        theirs = np.asarray(library(feed, training=False))
    finally:
        page.set_weights(own)
    if mine.shape != theirs.shape:
        return result(f"outputs: page's have shape {mine.shape}, library's {theirs.shape}")
    largest = float(np.max(np.abs(mine - theirs), initial=0.0))
    if not np.allclose(mine, theirs, rtol=1e-4, atol=atol):
        return result(
            f"outputs: from the same weights on the same inputs they differ by up to {largest:.2e}, though every "
            "layer matches: the layers are joined differently (the order of inputs to a Concatenate, Dot or Add, "
            "or a layer applied to the wrong tensor)",
            largest,
        )
    return result("", largest)


@dataclass(frozen=True)
class LossCheck:
    """How a loss written on a page compares with the library's (:func:`check_loss`).

    Attributes:
        matches: True when both give the same value on every trial.
        name: the library function compared against.
        trials: ``[(page, library), ...]``: both values on each set of random inputs.
        first_difference: the first trial where they differ, in words ("" when they match).
    """

    matches: bool
    name: str
    trials: list[tuple[float, float]]
    first_difference: str

    def __str__(self) -> str:
        lines = [f"{self.name}: {len(self.trials)} sets of random inputs"]
        lines += [f"  page {p:.6f} | library {q:.6f}" for p, q in self.trials[:3]]
        if self.matches:
            lines.append(f"verdict: the page's function gives the values of gan_utils.losses.{self.name}")
        else:
            lines.append(f"verdict: the page's function does NOT give the library's values. {self.first_difference}")
        return "\n".join(lines)


def _tiny_critic(seed: int) -> keras.Model:
    """A small convolutional critic with fixed random weights, for comparing penalties."""
    init = keras.initializers.GlorotUniform
    x = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(4, 3, strides=2, padding="same", kernel_initializer=init(seed), bias_initializer="ones")(x)
    h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Flatten()(h)
    return keras.Model(x, keras.layers.Dense(1, kernel_initializer=init(seed + 1))(h), name="tiny_critic")


def check_loss(page: Callable, library: Callable, *, trials: int = 5, seed: int = 0, rtol: float = 1e-4, atol: float = 1e-5) -> LossCheck:
    """Compare a loss (or penalty) written on a lesson's page with its ``gan_utils.losses`` counterpart.

    Both functions get the same random inputs, ``trials`` times, called the way the library's
    function is: ``(real_scores, fake_scores)`` or ``(fake_scores)`` for a loss (scores from a normal
    of spread 2, so that both sides of a hinge's margin at +-1 are reached), and ``(critic, real,
    fake, seed=...)`` for :func:`gan_utils.losses.gradient_penalty` (``(critic, real)`` for the R1
    penalty) with a small random convolutional critic and the same integer ``seed`` for both, so a
    page that draws its mixing weights with ``keras.random.uniform(..., seed=seed)`` draws the same.

    Example:
        >>> from keras import ops
        >>> from gan_utils import losses
        >>> check_loss(lambda real, fake: ops.mean(ops.relu(1 - real)) + ops.mean(ops.relu(1 + fake)),
        ...            losses.hinge_discriminator_loss).matches
        True
        >>> check_loss(lambda real, fake: ops.mean(ops.relu(-real)) + ops.mean(ops.relu(fake)),  # no margin
        ...            losses.hinge_discriminator_loss).matches
        False
    """
    for name, fn in (("page", page), ("library", library)):
        if not callable(fn):
            raise TypeError(f"check_loss compares two functions; {name} is {fn!r}.")
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ValueError(f"trials must be a positive integer, got {trials!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    parameters = list(inspect.signature(library).parameters)
    name = getattr(library, "__name__", "the library's function")
    rng = np.random.default_rng(seed)
    values: list[tuple[float, float]] = []
    difference = ""
    for trial in range(trials):
        if parameters and parameters[0] == "critic":
            critic = _tiny_critic(seed + trial)
            real = rng.standard_normal((16, 8, 8, 1)).astype("float32")
            fake = rng.standard_normal((16, 8, 8, 1)).astype("float32")
            if "fake" in parameters:
                args, kwargs, what = (critic, real, fake), ({"seed": seed + trial} if "seed" in parameters else {}), "critic, real, fake, seed"
            else:
                args, kwargs, what = (critic, real), {}, "critic, real"
        else:
            n_args = sum(1 for p in inspect.signature(library).parameters.values() if p.default is inspect.Parameter.empty)
            args = tuple((2.0 * rng.standard_normal(64)).astype("float32") for _ in range(n_args))
            kwargs, what = {}, ", ".join(parameters[:n_args])
        try:
            mine = float(np.asarray(page(*args, **kwargs)))
        except Exception as err:
            raise TypeError(
                f"the page's function failed when called like gan_utils.losses.{name}({what}): "
                f"{type(err).__name__}: {err}. Give it the same arguments, in the same order."
            ) from err
        theirs = float(np.asarray(library(*args, **kwargs)))
        values.append((mine, theirs))
        if not difference and not np.isclose(mine, theirs, rtol=rtol, atol=atol):
            difference = (
                f"trial {trial + 1}: page {mine:.6f}, library {theirs:.6f} on the same ({what}). "
                f"Compare your formula with the library's: gan_utils.losses.{name}.__doc__"
            )
    return LossCheck(not difference, name, values, difference)
