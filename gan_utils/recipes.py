"""Each model's hyperparameters, in one place, and the smoke size used by CI.

The command line, the notebooks and the benchmarks all start from these recipes, so a learning rate
or a batch size is written exactly once. ``GAN_UTILS_SMOKE=1`` shrinks every recipe to the smoke size.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import keras

from gan_utils import config, losses, models
from gan_utils.augment import augment_setting
from gan_utils.gan import GAN

#: What smoke mode changes: a few epochs on a small subset (see README, "Smoke mode").
SMOKE_EPOCHS = 2
SMOKE_SUBSET = 2048


@dataclass(frozen=True)
class Recipe:
    """Hyperparameters of one model of the series.

    Attributes:
        model: the recipe's name (``"vanilla"``, ``"dcgan"``, ``"cgan"``, ...).
        latent_dim: length of z.
        width: DCGAN filters (last hidden layer); for the MLP, the generator's last hidden width.
        batch_size, epochs: training length.
        d_lr, g_lr, beta_1, beta_2: Adam settings of the discriminator and generator.
        ema_decay: moving average of the generator's weights used for sampling (None: off).
        label_smoothing: one-sided label smoothing of real targets.
        jit_compile: compile each training step with XLA.
        subset: train on this many images (None: all).
        architecture: the registered architecture that builds the networks (:data:`ARCHITECTURES`;
            empty: the one named like the model).
        objective: the loss family (:func:`gan_utils.get_objective`).
        gamma: the weight of the objective's R1 / R2 penalty, ``gamma / 2 E||grad||^2`` (None: the
            family's own; only for families with such a penalty, e.g. ``relativistic``).
        d_steps: discriminator (critic) updates per generator update.
        num_classes: classes a conditional recipe (``cgan``) draws: 10 for MNIST's digits, the
            number of class sub-folders for your own images; unconditional recipes ignore it.
        augment: the DiffAugment policy the discriminator sees every image through (None: off;
            ``True`` is kept as the paper's ``"color,translation,cutout"``; :mod:`gan_utils.augment`).
        images_shown: the command line's training length in images shown (None: ``epochs`` passes
            over MNIST's 60,000, whatever the data's size; :func:`gan_utils.runs.recipe_steps`).
    """

    model: str
    latent_dim: int
    width: int
    batch_size: int
    epochs: int
    d_lr: float
    g_lr: float
    beta_1: float = 0.5
    beta_2: float = 0.999
    ema_decay: float | None = None
    label_smoothing: float = 0.0
    jit_compile: bool = False
    subset: int | None = None
    architecture: str = ""
    objective: str = "non-saturating"
    gamma: float | None = None
    d_steps: int = 1
    num_classes: int = 10
    augment: str | None = None
    images_shown: int | None = None

    def __post_init__(self) -> None:
        if self.arch not in ARCHITECTURES:
            what = f"architecture {self.arch!r}" if self.architecture else f"model {self.model!r} (no architecture of that name)"
            raise ValueError(
                f"unknown {what}: choose one of {', '.join(ARCHITECTURES)}, or register yours with "
                "gan_utils.recipes.register_architecture."
            )
        self.loss()  # refuses unknown names with the list of known ones, and a gamma without R1 / R2
        object.__setattr__(self, "augment", augment_setting(self.augment))  # refuses unknown transforms likewise
        if isinstance(self.d_steps, bool) or not isinstance(self.d_steps, int) or self.d_steps < 1:
            raise ValueError(f"Recipe.d_steps must be a positive integer, got {self.d_steps!r}.")
        if isinstance(self.num_classes, bool) or not isinstance(self.num_classes, int) or self.num_classes < 2:
            raise ValueError(f"Recipe.num_classes must be an integer >= 2 (10 for MNIST's digits), got {self.num_classes!r}.")
        for name in ("latent_dim", "width", "batch_size", "epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Recipe.{name} must be a positive integer, got {value!r}.")
        for name in ("d_lr", "g_lr"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise ValueError(f"Recipe.{name} must be a learning rate in (0, 1), e.g. 2e-4; got {value!r}.")
        for name in ("beta_1", "beta_2"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"Recipe.{name} must be in [0, 1), got {getattr(self, name)!r}.")
        if self.subset is not None and (isinstance(self.subset, bool) or not isinstance(self.subset, int) or self.subset < 1):
            raise ValueError(f"Recipe.subset must be a positive number of images or None, got {self.subset!r}.")


    def loss(self) -> losses.Objective:
        """The recipe's objective, with its ``gamma`` if set.

        Example:
            >>> get_recipe("relativistic", smoke=False, gamma=4.0).loss().penalty_weight
            2.0
        """
        return losses.get_objective(self.objective, gamma=self.gamma)

    @property
    def arch(self) -> str:
        """The architecture that builds this recipe's networks."""
        return self.architecture or self.model


#: Registered architectures: each builds ``(generator, discriminator)`` for a recipe and an image shape
#: (``(28, 28, 1)`` for MNIST; the DCGAN ones also make 32, 64 and 128 pixels, grey or colour).
ARCHITECTURES: dict[str, Callable[[Recipe, tuple[int, int, int]], tuple[keras.Model, keras.Model]]] = {}


def register_architecture(name: str) -> Callable:
    """Register a function ``(recipe, image_shape) -> (generator, discriminator)`` under ``name``.

    A recipe uses it through ``architecture=name`` (``get_recipe("dcgan", architecture=name)``);
    benchmarks register their variants this way instead of patching :mod:`gan_utils.models`.

    Example:
        >>> @register_architecture("dcgan-narrow-d")
        ... def _narrow(recipe, image_shape):
        ...     return (models.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
        ...             models.build_dcgan_discriminator(image_shape, recipe.width // 2))
        >>> build_networks(get_recipe("dcgan", architecture="dcgan-narrow-d"))[1].count_params() < 10**6
        True
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"an architecture needs a non-empty name, got {name!r}.")

    def register(build: Callable) -> Callable:
        ARCHITECTURES[name] = build
        return build

    return register


@register_architecture("vanilla")
def _vanilla(recipe: Recipe, image_shape: tuple[int, int, int]) -> tuple[keras.Model, keras.Model]:
    w = recipe.width
    return (
        models.build_mlp_generator(recipe.latent_dim, image_shape, (w // 4, w // 2, w)),
        models.build_mlp_discriminator(image_shape, (w // 2, w // 4)),
    )


#: Largest image side at which the ``dcgan`` recipe's discriminator uses batch norm (MNIST's 28, where
#: the recipe's numbers were tuned with it); above it, no normalization. Measured on 10,000 colour
#: digits, 2 CPU cores, three seeds (``benchmarks/README.md``, "Your own images"). At 64 pixels, with
#: batch norm the generator drew one texture for every z even after 1,076 steps: batch norm over a
#: batch of near-identical early fakes blows their tiny differences up to unit variance, and the
#: discriminator judges those. Layer norm fixed that but drew no digits in 5 minutes; without
#: normalization the generator drew digits in each seed (width 16: FID 468, 518 and 526 against
#: layer norm's 686, 686 and 709). At 32 pixels, in 4 minutes: FID 333, 467 and 397 without, against
#: 908 (every z the same texture), 513 and 475 with batch norm; on smaller, padded digits the two
#: seeds tried split (578 against 466, and 450 against 489): not a win on every folder.
BATCH_NORM_MAX_SIZE = 28


def dcgan_normalization(image_size: int) -> str | None:
    """The normalization of the ``dcgan`` recipe's discriminator for square images of ``image_size``.

    Example:
        >>> dcgan_normalization(28), dcgan_normalization(32)
        ('batch', None)
    """
    return "batch" if image_size <= BATCH_NORM_MAX_SIZE else None


@register_architecture("dcgan")
def _dcgan(recipe: Recipe, image_shape: tuple[int, int, int]) -> tuple[keras.Model, keras.Model]:
    return (
        models.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
        models.build_dcgan_discriminator(image_shape, recipe.width, normalization=dcgan_normalization(image_shape[0])),
    )


@register_architecture("dcgan-critic")
def _dcgan_critic(recipe: Recipe, image_shape: tuple[int, int, int]) -> tuple[keras.Model, keras.Model]:
    """The DCGAN generator against a critic with layer norm instead of batch norm (for WGAN-GP)."""
    return (
        models.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
        models.build_dcgan_discriminator(image_shape, recipe.width, name="dcgan_critic", normalization="layer"),
    )


@register_architecture("dcgan-sn")
def _dcgan_sn(recipe: Recipe, image_shape: tuple[int, int, int]) -> tuple[keras.Model, keras.Model]:
    """The DCGAN generator against a spectrally normalised discriminator without batch norm (for the hinge loss)."""
    return (
        models.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
        models.build_dcgan_discriminator(image_shape, recipe.width, normalization=None, spectral_norm=True),
    )


@register_architecture("dcgan-plain")
def _dcgan_plain(recipe: Recipe, image_shape: tuple[int, int, int]) -> tuple[keras.Model, keras.Model]:
    """The DCGAN generator against a discriminator without normalization (for R1 / R2, as in R3GAN)."""
    return (
        models.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
        models.build_dcgan_discriminator(image_shape, recipe.width, name="dcgan_plain_discriminator", normalization=None),
    )


@register_architecture("cgan")
def _cgan(recipe: Recipe, image_shape: tuple[int, int, int]) -> tuple[keras.Model, keras.Model]:
    return (
        models.build_conditional_generator(recipe.latent_dim, recipe.num_classes, image_shape, recipe.width),
        models.build_conditional_discriminator(recipe.num_classes, image_shape, recipe.width),
    )


RECIPES: dict[str, Recipe] = {
    "vanilla": Recipe("vanilla", latent_dim=64, width=1024, batch_size=64, epochs=30, d_lr=1e-3, g_lr=1e-3, ema_decay=0.999),
    "dcgan": Recipe("dcgan", latent_dim=64, width=32, batch_size=64, epochs=10, d_lr=1e-3, g_lr=1e-3, ema_decay=0.999),
    "cgan": Recipe("cgan", latent_dim=64, width=32, batch_size=64, epochs=10, d_lr=2e-4, g_lr=2e-4, ema_decay=0.999),
    # The stabilised losses (issue 12). Adam(beta_2=0.9) as in Gulrajani et al. For WGAN-GP 5e-4 beat
    # 2e-4 (per step and in 300 s) and 1e-3. One critic step per generator step, where the paper takes
    # five: each critic step costs a second backward pass, so at five the generator makes about a
    # sixth of the dcgan recipe's steps in the same time, and in budgets of minutes on a CPU that lost
    # (120 s, measured when the five critic steps still shared one real batch: FID 735 at five, 147 at
    # one; a 90 s rerun with fresh batches on the loaded machine of issue 28 was too starved to tell:
    # 43 and 70 generator steps). A run of several hours may prefer five (d_steps=5).
    # The hinge loss trains against the dcgan recipe's batch-norm discriminator: with spectral norm and no batch norm (its first recipe) it drew no
    # digits in 90 s at any learning rate tried (1e-3, 2e-4, 4e-4 / 1e-4 with beta_1 = 0; FID 273-472),
    # with layer norm FID 143, with batch norm 48, where dcgan reached 65 in the same run (issue 28).
    # The 300 s tables and the variants tried: benchmarks/README.md, "Objectives".
    "wgan-gp": Recipe(
        "wgan-gp", latent_dim=64, width=32, batch_size=64, epochs=10, d_lr=5e-4, g_lr=5e-4, beta_1=0.5, beta_2=0.9,
        ema_decay=0.999, architecture="dcgan-critic", objective="wasserstein-gp", d_steps=1,
    ),
    "hinge": Recipe(
        "hinge", latent_dim=64, width=32, batch_size=64, epochs=10, d_lr=1e-3, g_lr=1e-3, beta_1=0.5, beta_2=0.9,
        ema_decay=0.999, architecture="dcgan", objective="hinge",
    ),
    # R3GAN's relativistic pairing loss with R1 and R2 (Huang et al. 2024), against a discriminator
    # without normalization (the penalties are per sample, so no batch norm). R1 and R2 each take a
    # second backward pass, so at width 32 a step costs about twice a dcgan step; in 90 s on the
    # shared 2-core CPU width 16 made 737 steps to width 32's ~450 and reached FID 130 against
    # 238-261 (gamma 0.1 and 10 at width 32; layer norm 246-302; Adam 2e-4 with beta_1 = 0, R3GAN's
    # kind of setting, 373). benchmarks/README.md, "Objectives".
    "relativistic": Recipe(
        "relativistic", latent_dim=64, width=16, batch_size=64, epochs=10, d_lr=1e-3, g_lr=1e-3, beta_1=0.5, beta_2=0.99,
        ema_decay=0.999, architecture="dcgan-plain", objective="relativistic", gamma=10.0,
    ),
}
MODELS = tuple(RECIPES)
#: What changes in a recipe with the side of the training images (``get_recipe(..., image_size=N)``).
#: At 64 pixels the ``dcgan`` recipe's width 32 made 470 steps in 5 minutes on 2 CPU cores and drew
#: blobs; width 16 made three times the steps and drew digits (``benchmarks/README.md``, "64x64
#: colour: which width?"). At 128 pixels, in 8-minute runs over three seeds, width 16 scored a lower FID
#: than width 8 in each (690, 697 and 694 against 708, 713 and 718), with less than half the steps;
#: neither drew digits yet ("128x128 colour: width 8 or 16?").
#: The ``cgan`` recipe keeps MNIST's 2e-4 at 28 pixels; on 10,000 labelled colour digits at 32 pixels
#: it collapsed or drew blurs with it in 10 epochs (FID 724-887, the class asked for read back 10-16 %
#: of the time, over three seeds), and drew the class asked for with 1e-3 (FID 215-267, 88-91 %). At
#: 64 pixels width 16 for 22 epochs beat width 32 for 10 in less time ("Conditional GAN on a
#: labelled folder"). 128 pixels takes the 64-pixel settings unmeasured.
SIZE_SETTINGS: dict[str, dict[int, dict]] = {
    "dcgan": {64: {"width": 16}, 128: {"width": 16}},
    "cgan": {
        32: {"d_lr": 1e-3, "g_lr": 1e-3},
        64: {"width": 16, "d_lr": 1e-3, "g_lr": 1e-3},
        128: {"width": 16, "d_lr": 1e-3, "g_lr": 1e-3},
    },
}


def get_recipe(name: str, smoke: bool | None = None, image_size: int | None = None, **overrides) -> Recipe:
    """Return the recipe of a model, at smoke size when ``smoke`` (default: ``GAN_UTILS_SMOKE``).

    ``image_size`` (the side of square training images) applies what :data:`SIZE_SETTINGS` measured
    for that size; without it the recipe is MNIST's (it builds for any size, tuned for 28 pixels).
    Keyword overrides replace single fields, after the size's settings.

    Example:
        >>> get_recipe("dcgan", smoke=True).epochs
        2
        >>> get_recipe("vanilla", smoke=False, epochs=3).epochs
        3
        >>> get_recipe("dcgan", smoke=False).width, get_recipe("dcgan", smoke=False, image_size=64).width
        (32, 16)
    """
    if name not in RECIPES:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}.")
    recipe = RECIPES[name]
    if image_size is not None:
        if image_size not in models.IMAGE_SIZES:
            sizes = ", ".join(str(s) for s in sorted(models.IMAGE_SIZES))
            raise ValueError(f"image_size must be one of {sizes} (the sides the networks build), got {image_size!r}.")
        recipe = dataclasses.replace(recipe, **SIZE_SETTINGS.get(name, {}).get(image_size, {}))
    if config.SMOKE if smoke is None else smoke:
        recipe = dataclasses.replace(recipe, epochs=SMOKE_EPOCHS, subset=SMOKE_SUBSET, images_shown=SMOKE_EPOCHS * SMOKE_SUBSET)
    try:
        return dataclasses.replace(recipe, **overrides)
    except TypeError as err:
        raise ValueError(f"unknown recipe field in {sorted(overrides)}: {err}") from None


def build_networks(recipe: Recipe, image_shape: tuple[int, int, int] = (28, 28, 1)) -> tuple[keras.Model, keras.Model]:
    """Build the recipe's generator and discriminator with its registered architecture.

    ``image_shape`` is MNIST's ``(28, 28, 1)`` by default; the DCGAN recipes (``dcgan``, ``cgan``,
    ``wgan-gp``, ``hinge``) also build ``(S, S, C)`` for S = 32, 64 or 128 (:data:`gan_utils.models.IMAGE_SIZES`).

    Example:
        >>> generator, _ = build_networks(get_recipe("dcgan", smoke=False), (64, 64, 3))
        >>> tuple(generator.outputs[0].shape)
        (None, 64, 64, 3)
    """
    return ARCHITECTURES[recipe.arch](recipe, image_shape)


def build_gan(
    recipe: Recipe | str,
    seed: int = 0,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    networks: tuple[keras.Model, keras.Model] | None = None,
) -> GAN:
    """Build and compile the GAN of a recipe (or of a model name), ready for :func:`fit_gan`.

    ``networks=(generator, discriminator)`` trains networks built elsewhere (a lesson's page, checked
    with :func:`gan_utils.check_model`) with the recipe's optimizers, objective and moving average.

    ``image_shape`` is that of the training images: MNIST's ``(28, 28, 1)`` by default, or e.g.
    ``(32, 32, 3)`` for your own colour images (:func:`gan_utils.load_images`). A model name gets
    the recipe for that size (``get_recipe(name, image_size=...)``); a recipe is built as it is.

    Example:
        >>> gan = build_gan("dcgan")
        >>> gan.generator.name
        'dcgan_generator'
        >>> build_gan("dcgan", image_shape=(32, 32, 3)).sample_shape
        (32, 32, 3)
    """
    if isinstance(recipe, str):
        recipe = get_recipe(recipe, image_size=image_shape[0] if image_shape[0] in models.IMAGE_SIZES else None)
    if not isinstance(recipe, Recipe):
        raise TypeError(f"build_gan needs a recipe (a Recipe) or a model name ({', '.join(MODELS)}), got {recipe!r}.")
    if networks is not None and (not isinstance(networks, (tuple, list)) or len(networks) != 2):
        raise ValueError(f"networks must be a pair (generator, discriminator), got {networks!r}.")
    generator, discriminator = networks if networks is not None else build_networks(recipe, image_shape)
    gan = GAN(generator, discriminator, ema_decay=recipe.ema_decay, seed=seed, name=f"{recipe.model}_gan")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(recipe.d_lr, beta_1=recipe.beta_1, beta_2=recipe.beta_2),
        g_optimizer=keras.optimizers.Adam(recipe.g_lr, beta_1=recipe.beta_1, beta_2=recipe.beta_2),
        label_smoothing=recipe.label_smoothing,
        objective=recipe.loss(),
        d_steps=recipe.d_steps,
        augment=recipe.augment,
        jit_compile=recipe.jit_compile,
    )
    return gan
