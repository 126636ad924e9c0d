"""Builders for generators and discriminators: a vanilla MLP GAN, a DCGAN and a conditional DCGAN.

Every builder returns a plain ``keras.Model`` made of built-in layers only. Generators end in
``tanh`` (images in [-1, 1]); discriminators return one *logit* per image (no sigmoid: the loss
applies it, which is numerically safer). The project's MNIST classifier, used by
:mod:`gan_utils.metrics`, is built here too.

Saving: every builder is registered in :data:`BUILDERS` and records on the model it returns which
builder made it and with which arguments (:func:`architecture`). A saved network is that small
record plus its weights (:func:`gan_utils.pretrained.save_network`), and loading calls the builder
again: the architecture lives in this file, not in the saved file, so weights saved by one Keras
version load on every other.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Sequence

import keras
from keras import layers

#: The registered builders, by name: what a saved network's record may name.
BUILDERS: dict[str, Callable[..., keras.Model]] = {}
_RECORD = "_gan_utils_architecture"


def register_builder(builder: Callable[..., keras.Model]) -> Callable[..., keras.Model]:
    """Register a builder in :data:`BUILDERS`; each model it builds remembers how it was built.

    Use it as a decorator on a function that returns a ``keras.Model`` and whose arguments are plain
    JSON values (numbers, strings, None, lists or tuples of them). The model it returns can then be
    saved with :func:`gan_utils.pretrained.save_network` and rebuilt by :func:`build_from`.

    Example:
        >>> @register_builder
        ... def tiny_generator(latent_dim: int = 4) -> keras.Model:
        ...     z = keras.Input((latent_dim,))
        ...     return keras.Model(z, layers.Dense(2)(z))
        >>> architecture(tiny_generator(3))
        {'builder': 'tiny_generator', 'arguments': {'latent_dim': 3}}
    """
    signature = inspect.signature(builder)

    @functools.wraps(builder)
    def build(*args, **kwargs) -> keras.Model:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        model = builder(*args, **kwargs)
        try:
            record = json.dumps({"builder": builder.__name__, "arguments": dict(bound.arguments)})
        except TypeError as err:
            raise TypeError(f"{builder.__name__}'s arguments must be plain JSON values to be saved: {err}") from None
        object.__setattr__(model, _RECORD, record)  # a plain string: Keras does not track it
        return model

    BUILDERS[builder.__name__] = build
    return build


def architecture(model: keras.Model) -> dict:
    """Return ``{"builder": name, "arguments": {...}}``: how a registered builder made ``model``.

    Raises ``ValueError`` for a model that no registered builder made (build it with one of
    :data:`BUILDERS`, or register your own builder with :func:`register_builder`).

    Example:
        >>> architecture(build_dcgan_generator(latent_dim=16, width=8))["arguments"]["width"]
        8
    """
    record = getattr(model, _RECORD, None)
    if record is None:
        raise ValueError(
            f"model {getattr(model, 'name', model)!r} was not made by a gan_utils builder, so it cannot be "
            f"saved as weights plus arguments: build it with one of {', '.join(sorted(BUILDERS))}, or "
            "decorate your own builder with gan_utils.models.register_builder."
        )
    return json.loads(record)


def copy_architecture(source: keras.Model, target: keras.Model) -> keras.Model:
    """Give ``target`` (a copy of ``source``, e.g. from ``keras.models.clone_model``) the record of
    how ``source`` was built, so that it saves the same way; nothing to copy if no builder made it."""
    record = getattr(source, _RECORD, None)
    if record is not None:
        object.__setattr__(target, _RECORD, record)
    return target


def build_from(record: dict) -> keras.Model:
    """Build a fresh (untrained) model from a record returned by :func:`architecture`.

    Example:
        >>> g = build_from({"builder": "build_dcgan_generator", "arguments": {"latent_dim": 16, "width": 8}})
        >>> tuple(g.outputs[0].shape)
        (None, 28, 28, 1)
    """
    if not isinstance(record, dict) or not isinstance(record.get("builder"), str) or not isinstance(record.get("arguments", {}), dict):
        raise ValueError(f"an architecture record is {{'builder': name, 'arguments': {{...}}}}, got {record!r}.")
    name = record["builder"]
    if name not in BUILDERS:
        raise ValueError(
            f"unknown builder {name!r}: this gan_utils knows {', '.join(sorted(BUILDERS))}. The file may come "
            "from a newer gan_utils (update it), or from a builder your code registers: import that code first."
        )
    return BUILDERS[name](**record.get("arguments", {}))


def num_classes(generator: keras.Model) -> int:
    """Number of classes a conditional generator draws, read from its label ``Embedding``.

    Example:
        >>> num_classes(build_conditional_generator(latent_dim=8, width=4))
        10
    """
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.input_dim)
    raise ValueError("a conditional generator needs an Embedding layer for its labels.")


def _check_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return value


def _check_shape(name: str, shape: object, rank: int | None = None) -> tuple[int, ...]:
    try:
        dims = tuple(shape)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{name} must be a tuple of positive integers like (28, 28, 1), got {shape!r}.") from None
    if not dims or any(isinstance(d, bool) or not isinstance(d, int) or d <= 0 for d in dims):
        raise ValueError(f"{name} must be a tuple of positive integers like (28, 28, 1), got {shape!r}.")
    if rank is not None and len(dims) != rank:
        raise ValueError(f"{name} must have {rank} dimensions (height, width, channels), got {shape!r}.")
    return dims


def _check_units(name: str, units: Sequence[int]) -> tuple[int, ...]:
    units = tuple(units)
    if not units:
        raise ValueError(f"{name} needs at least one layer size, e.g. (256, 512).")
    for u in units:
        _check_int(f"each entry of {name}", u)
    return units


#: The square image sides the DCGAN builders make, each with the side of the first feature map.
#: Every stage (a stride-2 transposed convolution in the generator, a stride-2 convolution in the
#: discriminator) doubles or halves the side: 28 = 7 x 2^2 (MNIST, 2 stages), 32 = 4 x 2^3,
#: 64 = 4 x 2^4 and 128 = 4 x 2^5 (3, 4 and 5 stages).
IMAGE_SIZES: dict[int, int] = {28: 7, 32: 4, 64: 4, 128: 4}
#: No layer of a DCGAN stack has more than ``MAX_FILTERS_PER_WIDTH * width`` filters. Widths double
#: from ``width`` at the highest resolution towards the lowest; the cap only trims 128x128, whose
#: 4x4 end would otherwise have 16 * width filters: at width 32 it keeps each 128x128 network at
#: 2.8 M parameters instead of 4.9 M. (The compute is in the high-resolution stages, which the cap
#: does not touch: 3.1 GFLOP per 128x128 training image at width 32.)
MAX_FILTERS_PER_WIDTH = 8


def _check_conv_shape(image_shape: object) -> tuple[int, int, int]:
    h, w, c = _check_shape("image_shape", image_shape, rank=3)
    if h != w or h not in IMAGE_SIZES:
        sizes = ", ".join(str(s) for s in IMAGE_SIZES)
        raise ValueError(
            f"image_shape {image_shape!r}: the DCGAN builders make square images of {sizes} pixels a side "
            "(28 is MNIST's), with any number of channels, e.g. (28, 28, 1) or (64, 64, 3). Resize your "
            "images to one of these sizes: gan_utils.load_images(..., image_size=64) does."
        )
    return h, w, c


def dcgan_stages(image_size: int, width: int) -> list[tuple[int, int]]:
    """The feature maps of a DCGAN stack for square images of ``image_size``: ``[(side, filters), ...]``.

    Listed from the lowest resolution (where the generator starts and the discriminator ends) to the
    highest hidden one; the generator's last transposed convolution and the discriminator's first
    convolution join the last of them to the image. Filters double from ``width`` at the highest
    resolution towards the lowest, capped at ``MAX_FILTERS_PER_WIDTH * width``.

    Example:
        >>> dcgan_stages(28, 32)
        [(7, 64), (14, 32)]
        >>> dcgan_stages(128, 32)
        [(4, 256), (8, 256), (16, 128), (32, 64), (64, 32)]
    """
    if isinstance(image_size, bool) or image_size not in IMAGE_SIZES:
        raise ValueError(
            f"image_size must be one of {', '.join(str(s) for s in IMAGE_SIZES)} (pixels a side), got {image_size!r}."
        )
    _check_int("width", width)
    start = IMAGE_SIZES[image_size]
    stages = (image_size // start).bit_length() - 1
    return [
        (start * 2**i, min(width * 2 ** (stages - 1 - i), MAX_FILTERS_PER_WIDTH * width)) for i in range(stages)
    ]


@register_builder
def build_mlp_generator(
    latent_dim: int = 64,
    output_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (256, 512, 1024),
    output_activation: str | None = "tanh",
    name: str = "mlp_generator",
    batch_norm: bool = True,
) -> keras.Model:
    """Build a fully connected generator: ``z -> Dense+LeakyReLU+BN ... -> output_shape``.

    Args:
        latent_dim: length of the noise vector z.
        output_shape: shape of one sample, ``(28, 28, 1)`` for MNIST or ``(2,)`` for 2-D points.
        hidden_units: width of each hidden layer.
        output_activation: ``"tanh"`` for images in [-1, 1]; None for unbounded data (toy GANs).
        name: the model's name.
        batch_norm: batch normalization after each hidden layer (False: none).

    Example:
        >>> g = build_mlp_generator(latent_dim=8, output_shape=(2,), hidden_units=(16,), output_activation=None)
        >>> tuple(g(keras.ops.zeros((3, 8))).shape)
        (3, 2)
    """
    _check_int("latent_dim", latent_dim)
    out_shape = _check_shape("output_shape", output_shape)
    units = _check_units("hidden_units", hidden_units)
    if not isinstance(batch_norm, bool):
        raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}.")
    z = keras.Input((latent_dim,), name="z")
    h = z
    for u in units:
        h = layers.Dense(u)(h)
        h = layers.LeakyReLU(0.2)(h)
        if batch_norm:
            h = layers.BatchNormalization(momentum=0.8)(h)
    size = 1
    for d in out_shape:
        size *= d
    h = layers.Dense(size, activation=output_activation)(h)
    out = layers.Reshape(out_shape)(h)
    return keras.Model(z, out, name=name)


@register_builder
def build_mlp_discriminator(
    input_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (512, 256),
    dropout: float = 0.3,
    name: str = "mlp_discriminator",
    spectral_norm: bool = False,
    weight_clip: float | None = None,
) -> keras.Model:
    """Build a fully connected discriminator: ``x -> Dense+LeakyReLU+Dropout ... -> logit``.

    ``weight_clip=c`` clips every weight to ``[-c, c]`` after each update (the original WGAN's way of
    keeping its critic Lipschitz, Arjovsky et al. 2017); ``spectral_norm=True`` normalizes each
    layer's largest singular value instead.

    Example:
        >>> d = build_mlp_discriminator(input_shape=(2,), hidden_units=(16,))
        >>> tuple(d(keras.ops.zeros((3, 2))).shape)
        (3, 1)
    """
    in_shape = _check_shape("input_shape", input_shape)
    units = _check_units("hidden_units", hidden_units)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
    _check_discriminator_options(None, spectral_norm)
    if weight_clip is not None:
        if isinstance(weight_clip, bool) or not isinstance(weight_clip, (int, float)) or not weight_clip > 0:
            raise ValueError(f"weight_clip must be a positive number (e.g. 0.01) or None, got {weight_clip!r}.")
        if spectral_norm:
            raise ValueError("choose one way to keep the critic Lipschitz: weight_clip or spectral_norm, not both.")
    clip = None if weight_clip is None else ClipWeights(weight_clip)
    x = keras.Input(in_shape, name="image" if len(in_shape) == 3 else "x")
    h = layers.Flatten()(x)
    for u in units:
        h = _weights(layers.Dense(u, kernel_constraint=clip, bias_constraint=clip), spectral_norm)(h)
        h = layers.LeakyReLU(0.2)(h)
        if dropout:
            h = layers.Dropout(dropout)(h)
    logit = _weights(layers.Dense(1, name="logit", kernel_constraint=clip, bias_constraint=clip), spectral_norm)(h)
    return keras.Model(x, logit, name=name)


@keras.saving.register_keras_serializable(package="gan_utils")
class ClipWeights(keras.constraints.Constraint):
    """Clip every weight to ``[-limit, limit]`` (applied by the optimizer after each update).

    Example:
        >>> [round(float(w), 4) for w in ClipWeights(0.01)(keras.ops.convert_to_tensor([-1.0, 0.005, 2.0]))]
        [-0.01, 0.005, 0.01]
    """

    def __init__(self, limit: float):
        self.limit = float(limit)

    def __call__(self, w):
        return keras.ops.clip(w, -self.limit, self.limit)

    def get_config(self) -> dict:
        return {"limit": self.limit}


#: Width of the DCGAN's fully connected hidden layers, per unit of ``width`` (256 for width 32).
DENSE_PER_WIDTH = 8


def _dcgan_generator_body(h, image_shape: tuple[int, int, int], width: int, dense_units: int = 0):
    """Shared upsampling stack: [Dense] -> Dense -> reshape to the first feature map -> one stride-2
    Conv2DTranspose + BN + ReLU per further stage -> Conv2DTranspose to (H, W, C), tanh.

    The feature maps are :func:`dcgan_stages`; for 28x28: (7, 7, 2w) -> (14, 14, w) -> (28, 28, C).
    ``dense_units`` > 0 first adds a fully connected hidden layer of that size (with batch norm and
    ReLU), as InfoGAN's MNIST generator does; 0 leaves it out.
    """
    stages = dcgan_stages(image_shape[0], width)
    channels = image_shape[2]
    if dense_units:
        h = layers.Dense(dense_units, use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
    side, filters = stages[0]
    h = layers.Dense(side * side * filters, use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU()(h)
    h = layers.Reshape((side, side, filters))(h)
    for _, filters in stages[1:]:
        h = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
    return layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh", name="image")(h)


#: Normalizations a discriminator builder accepts: batch norm (the DCGAN's), layer norm (a critic's), none.
NORMALIZATIONS = ("batch", "layer", None)


def _check_discriminator_options(normalization: object, spectral_norm: object) -> None:
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of 'batch', 'layer' or None, got {normalization!r}.")
    if not isinstance(spectral_norm, bool):
        raise ValueError(f"spectral_norm must be True or False, got {spectral_norm!r}.")


def _weights(layer: layers.Layer, spectral_norm: bool) -> layers.Layer:
    """``layer``, or ``layer`` with spectral normalization (Miyato et al. 2018) of its kernel."""
    return layers.SpectralNormalization(layer) if spectral_norm else layer


def _normalize(h, normalization: str | None):
    if normalization == "batch":
        return layers.BatchNormalization()(h)
    if normalization == "layer":
        return layers.LayerNormalization()(h)
    return h


def _dcgan_discriminator_body(x, width: int, dense_units: int = 0, normalization: str | None = "batch", spectral_norm: bool = False):
    """Shared downsampling stack: one strided 4x4 convolution with LeakyReLU per stage, then flatten.

    The stages mirror the generator's (:func:`dcgan_stages`, highest resolution first); for 28x28:
    (14, 14, w) -> (7, 7, 2w). ``dense_units`` > 0 adds normalization after every convolution but
    the first and a fully connected hidden layer of that size (normalization, LeakyReLU) after the
    flatten, as InfoGAN's MNIST discriminator does (with batch norm); 0 gives the plain stack.
    ``normalization`` is ``"batch"``, ``"layer"`` (for a Wasserstein critic) or None;
    ``spectral_norm`` wraps every convolution and dense layer in ``SpectralNormalization``.
    """
    stages = dcgan_stages(int(x.shape[1]), width)[::-1]
    normalized = bool(dense_units) and normalization is not None
    h = _weights(layers.Conv2D(stages[0][1], 4, strides=2, padding="same"), spectral_norm)(x)
    h = layers.LeakyReLU(0.2)(h)
    for _, filters in stages[1:]:
        h = _weights(layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not normalized), spectral_norm)(h)
        if dense_units:
            h = _normalize(h, normalization)
        h = layers.LeakyReLU(0.2)(h)
    h = layers.Flatten()(h)
    if dense_units:
        h = _weights(layers.Dense(dense_units, use_bias=not normalized), spectral_norm)(h)
        h = _normalize(h, normalization)
        h = layers.LeakyReLU(0.2)(h)
    return h


@register_builder
def build_dcgan_generator(
    latent_dim: int = 64,
    image_shape: Sequence[int] = (28, 28, 1),
    width: int = 64,
    name: str = "dcgan_generator",
) -> keras.Model:
    """Build a DCGAN generator (Radford et al. 2015) for square images, sized for a CPU.

    For MNIST's 28x28: ``z -> Dense(8*width) -> BN -> ReLU -> Dense -> BN -> ReLU -> reshape
    (7, 7, 2*width) -> Conv2DTranspose(width, 4, stride 2) -> BN -> ReLU -> Conv2DTranspose(C, 4,
    stride 2) -> tanh``. For 32, 64 and 128 pixels the stack starts at 4x4 and has 3, 4 or 5
    transposed convolutions; filters double from ``width`` next to the image towards the 4x4 end,
    capped at ``MAX_FILTERS_PER_WIDTH * width`` (the feature maps: :func:`dcgan_stages`).
    No pooling; 4x4 kernels with stride 2 overlap evenly away from the borders, which removes one
    cause of checkerboard artifacts; others remain (Odena et al. 2016).
    The fully connected hidden layer in front is InfoGAN's (Chen et al. 2016) MNIST generator: it
    costs little (a 256 x 3136 matrix product at width 32 and 28x28) and, measured on MNIST in
    ``benchmarks/README.md``, it together with the discriminator's batch norm and hidden layer turns
    FID ~100 after 240,000 training images into ~10. At width 32 a 28x28 training image costs
    65 MFLOP, 9 times fewer than the TensorFlow tutorial's DCGAN; 32x32 costs 126 MFLOP, 64x64 695
    and 128x128 3,135 (each doubling of the side adds a stage and doubles the filters at each
    resolution, so the cost grows about 4.5 times; colour adds a few percent). The FIDs above are MNIST's: other sizes and
    data sets have not been benchmarked.

    Args:
        latent_dim: length of z.
        image_shape: ``(S, S, C)`` with S one of :data:`IMAGE_SIZES` (28, 32, 64, 128) and any C
            (1 for grey, 3 for colour).
        width: filters of the last hidden layer (the highest resolution); each layer before it has
            twice as many as the next, up to ``MAX_FILTERS_PER_WIDTH`` (8) times ``width``; the
            fully connected hidden layer has ``DENSE_PER_WIDTH`` (8) times as many units.

    Example:
        >>> g = build_dcgan_generator(latent_dim=16, width=8)
        >>> tuple(g(keras.ops.zeros((2, 16))).shape)
        (2, 28, 28, 1)
    """
    _check_int("latent_dim", latent_dim)
    shape = _check_conv_shape(image_shape)
    _check_int("width", width)
    z = keras.Input((latent_dim,), name="z")
    return keras.Model(z, _dcgan_generator_body(z, shape, width, DENSE_PER_WIDTH * width), name=name)


@register_builder
def build_dcgan_discriminator(
    image_shape: Sequence[int] = (28, 28, 1),
    width: int = 64,
    name: str = "dcgan_discriminator",
    normalization: str | None = "batch",
    spectral_norm: bool = False,
) -> keras.Model:
    """Build a DCGAN discriminator: strided 4x4 convolutions, a hidden layer, one logit out.

    For 28x28: ``image -> Conv2D(width, 4, stride 2) -> LeakyReLU(0.2) -> Conv2D(2*width, 4, stride
    2) -> BN -> LeakyReLU -> flatten -> Dense(8*width) -> BN -> LeakyReLU -> Dense(1)`` (InfoGAN's
    MNIST discriminator). For 32, 64 and 128 pixels there are 3, 4 or 5 convolutions down to 4x4,
    the generator's stages mirrored (:func:`dcgan_stages`), each after the first with BN. Following
    the DCGAN guidelines there is no pooling (strides downsample) and no batch norm on the input
    layer. Real and generated batches go through the discriminator in separate calls, so batch norm
    never mixes their statistics. On MNIST, without the batch norm and the hidden layer the same
    recipe trains to FID ~110 instead of ~10 (``benchmarks/README.md``).

    ``image_shape`` is ``(S, S, C)`` with S one of :data:`IMAGE_SIZES` (28, 32, 64, 128).

    ``normalization="layer"`` (or None) makes a critic for the Wasserstein loss with gradient
    penalty, which must not use batch norm; ``spectral_norm=True`` wraps every convolution and dense
    layer in ``keras.layers.SpectralNormalization`` (the hinge loss's usual partner).

    Example:
        >>> d = build_dcgan_discriminator(width=8)
        >>> tuple(d(keras.ops.zeros((2, 28, 28, 1))).shape)
        (2, 1)
    """
    shape = _check_conv_shape(image_shape)
    _check_int("width", width)
    _check_discriminator_options(normalization, spectral_norm)
    x = keras.Input(shape, name="image")
    features = _dcgan_discriminator_body(x, width, DENSE_PER_WIDTH * width, normalization, spectral_norm)
    logit = _weights(layers.Dense(1, name="logit"), spectral_norm)(features)
    return keras.Model(x, logit, name=name)


@register_builder
def build_conditional_generator(
    latent_dim: int = 64,
    num_classes: int = 10,
    image_shape: Sequence[int] = (28, 28, 1),
    width: int = 64,
    embedding_dim: int = 32,
    name: str = "cgan_generator",
) -> keras.Model:
    """Build a class-conditional DCGAN generator, called as ``generator([z, labels])``.

    The label enters through a learned embedding concatenated to z (Mirza and Osindero 2014 join a
    one-hot vector; an embedding is the same thing with a trainable table and fewer zeros). The rest
    is the DCGAN generator's convolutional stack for the image size (28, 32, 64 or 128 pixels,
    :func:`dcgan_stages`), without its fully connected hidden layer: on MNIST, with the label to
    guide it, the plain stack trains to clean digits (FID 7 in 10 epochs, ``cgan.md``).

    Example:
        >>> g = build_conditional_generator(latent_dim=16, width=8)
        >>> tuple(g([keras.ops.zeros((2, 16)), keras.ops.convert_to_tensor([3, 7])]).shape)
        (2, 28, 28, 1)
    """
    _check_int("latent_dim", latent_dim)
    _check_int("num_classes", num_classes, minimum=2)
    _check_int("embedding_dim", embedding_dim)
    shape = _check_conv_shape(image_shape)
    _check_int("width", width)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    e = layers.Embedding(num_classes, embedding_dim, name="label_embedding")(label)
    h = layers.Concatenate()([z, e])
    return keras.Model([z, label], _dcgan_generator_body(h, shape, width), name=name)


@register_builder
def build_conditional_discriminator(
    num_classes: int = 10,
    image_shape: Sequence[int] = (28, 28, 1),
    width: int = 64,
    name: str = "cgan_discriminator",
    spectral_norm: bool = False,
) -> keras.Model:
    """Build a class-conditional DCGAN discriminator with a projection head (Miyato and Koyama 2018).

    ``logit = w . phi(x) + embed(y) . phi(x)``: the features ``phi(x)`` of the DCGAN discriminator's
    convolutions (two for 28x28, down to 4x4 for 32, 64 and 128 pixels; no hidden layer, no batch
    norm) are scored once unconditionally and once against a learned vector for the label. Projection
    asks "does this look like *this* digit?" directly, and trains better class control than
    concatenating label channels to the image, at almost no cost.

    Example:
        >>> d = build_conditional_discriminator(width=8)
        >>> tuple(d([keras.ops.zeros((2, 28, 28, 1)), keras.ops.convert_to_tensor([3, 7])]).shape)
        (2, 1)
    """
    _check_int("num_classes", num_classes, minimum=2)
    shape = _check_conv_shape(image_shape)
    _check_int("width", width)
    _check_discriminator_options(None, spectral_norm)
    x = keras.Input(shape, name="image")
    label = keras.Input((), dtype="int32", name="label")
    features = _dcgan_discriminator_body(x, width, spectral_norm=spectral_norm)
    unconditional = _weights(layers.Dense(1, name="logit"), spectral_norm)(features)
    class_vector = layers.Embedding(num_classes, features.shape[-1], name="class_projection")(label)
    projection = layers.Dot(axes=1)([features, class_vector])
    logit = layers.Add()([unconditional, projection])
    return keras.Model([x, label], logit, name=name)


#: The MNIST classifier's penultimate layer, whose activations :mod:`gan_utils.metrics` uses as features.
CLASSIFIER_FEATURE_LAYER = "features"


@register_builder
def build_classifier(num_features: int = 128, dropout: float = 0.25) -> keras.Model:
    """Build (untrained) the project's MNIST classifier: two conv blocks, ``features``, softmax.

    ``image (28, 28, 1) in [-1, 1] -> [Conv 3x3 -> BN -> ReLU -> MaxPool] x 2 (32, 64 filters)
    -> Flatten -> Dropout -> Dense(num_features, ReLU) named "features" -> Dropout -> Dense(10, softmax)``.
    Trained by ``scripts/train_classifier.py``; :func:`gan_utils.metrics.load_classifier` returns
    the trained one.

    Example:
        >>> model = build_classifier()
        >>> model.get_layer("features").output.shape[-1], model.output.shape[-1]
        (128, 10)
    """
    if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 2:
        raise ValueError(f"num_features must be an integer >= 2, got {num_features!r}.")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
    image = keras.Input((28, 28, 1), name="image")
    h = image
    for filters in (32, 64):
        h = layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
        h = layers.MaxPooling2D()(h)
    h = layers.Flatten()(h)
    h = layers.Dropout(dropout)(h)
    features = layers.Dense(num_features, activation="relu", name=CLASSIFIER_FEATURE_LAYER)(h)
    h = layers.Dropout(dropout)(features)
    probabilities = layers.Dense(10, activation="softmax", name="probabilities")(h)
    return keras.Model(image, probabilities, name="mnist_classifier")
