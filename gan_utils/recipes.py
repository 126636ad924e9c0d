"""Each model's hyperparameters, in one place, and the smoke size used by CI.

The command line, the notebooks and the benchmarks all start from these recipes, so a learning rate
or a batch size is written exactly once. ``GAN_UTILS_SMOKE=1`` shrinks every recipe to the smoke size.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import keras

from gan_utils import config, models
from gan_utils.training import GAN

#: What smoke mode changes: a few epochs on a small subset (see README, "Smoke mode").
SMOKE_EPOCHS = 2
SMOKE_SUBSET = 2048


@dataclass(frozen=True)
class Recipe:
    """Hyperparameters of one model of the series.

    Attributes:
        model: ``"vanilla"``, ``"dcgan"`` or ``"cgan"``.
        latent_dim: length of z.
        width: DCGAN filters (last hidden layer); for the MLP, the generator's last hidden width.
        batch_size, epochs: training length.
        d_lr, g_lr, beta_1: Adam settings of the discriminator and generator.
        ema_decay: moving average of the generator's weights used for sampling (None: off).
        label_smoothing: one-sided label smoothing of real targets.
        jit_compile: compile each training step with XLA.
        subset: train on this many images (None: all).
    """

    model: str
    latent_dim: int
    width: int
    batch_size: int
    epochs: int
    d_lr: float
    g_lr: float
    beta_1: float = 0.5
    ema_decay: float | None = None
    label_smoothing: float = 0.0
    jit_compile: bool = False
    subset: int | None = None

    def __post_init__(self) -> None:
        if self.model not in ("vanilla", "dcgan", "cgan"):
            raise ValueError(f"unknown model {self.model!r}: choose one of vanilla, dcgan, cgan.")
        for name in ("latent_dim", "width", "batch_size", "epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Recipe.{name} must be a positive integer, got {value!r}.")
        for name in ("d_lr", "g_lr"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise ValueError(f"Recipe.{name} must be a learning rate in (0, 1), e.g. 2e-4; got {value!r}.")
        if not 0 <= self.beta_1 < 1:
            raise ValueError(f"Recipe.beta_1 must be in [0, 1), got {self.beta_1!r}.")
        if self.subset is not None and (isinstance(self.subset, bool) or not isinstance(self.subset, int) or self.subset < 1):
            raise ValueError(f"Recipe.subset must be a positive number of images or None, got {self.subset!r}.")


RECIPES: dict[str, Recipe] = {
    "vanilla": Recipe("vanilla", latent_dim=64, width=1024, batch_size=64, epochs=30, d_lr=1e-3, g_lr=1e-3, ema_decay=0.999),
    "dcgan": Recipe("dcgan", latent_dim=64, width=32, batch_size=64, epochs=10, d_lr=1e-3, g_lr=1e-3, ema_decay=0.999),
    "cgan": Recipe("cgan", latent_dim=64, width=32, batch_size=64, epochs=10, d_lr=2e-4, g_lr=2e-4, ema_decay=0.999),
}
MODELS = tuple(RECIPES)


def get_recipe(name: str, smoke: bool | None = None, **overrides) -> Recipe:
    """Return the recipe of a model, at smoke size when ``smoke`` (default: ``GAN_UTILS_SMOKE``).

    Keyword overrides replace single fields.

    Example:
        >>> get_recipe("dcgan", smoke=True).epochs
        2
        >>> get_recipe("vanilla", smoke=False, epochs=3).epochs
        3
    """
    if name not in RECIPES:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}.")
    recipe = RECIPES[name]
    if config.SMOKE if smoke is None else smoke:
        recipe = dataclasses.replace(recipe, epochs=SMOKE_EPOCHS, subset=SMOKE_SUBSET)
    try:
        return dataclasses.replace(recipe, **overrides)
    except TypeError as err:
        raise ValueError(f"unknown recipe field in {sorted(overrides)}: {err}") from None


def build_networks(recipe: Recipe, image_shape: tuple[int, int, int] = (28, 28, 1)) -> tuple[keras.Model, keras.Model]:
    """Build the recipe's generator and discriminator."""
    if recipe.model == "vanilla":
        w = recipe.width
        return (
            models.build_mlp_generator(recipe.latent_dim, image_shape, (w // 4, w // 2, w)),
            models.build_mlp_discriminator(image_shape, (w // 2, w // 4)),
        )
    if recipe.model == "dcgan":
        return (
            models.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
            models.build_dcgan_discriminator(image_shape, recipe.width),
        )
    if recipe.model == "cgan":
        return (
            models.build_conditional_generator(recipe.latent_dim, 10, image_shape, recipe.width),
            models.build_conditional_discriminator(10, image_shape, recipe.width),
        )
    raise ValueError(f"unknown model {recipe.model!r}: choose one of {', '.join(MODELS)}.")


def build_gan(recipe: Recipe | str, seed: int = 0) -> GAN:
    """Build and compile the GAN of a recipe (or of a model name), ready for :func:`fit_gan`.

    Example:
        >>> gan = build_gan("dcgan")
        >>> gan.generator.name
        'dcgan_generator'
    """
    if isinstance(recipe, str):
        recipe = get_recipe(recipe)
    if not isinstance(recipe, Recipe):
        raise TypeError(f"build_gan needs a recipe (a Recipe) or a model name ({', '.join(MODELS)}), got {recipe!r}.")
    generator, discriminator = build_networks(recipe)
    gan = GAN(generator, discriminator, ema_decay=recipe.ema_decay, seed=seed, name=f"{recipe.model}_gan")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(recipe.d_lr, beta_1=recipe.beta_1),
        g_optimizer=keras.optimizers.Adam(recipe.g_lr, beta_1=recipe.beta_1),
        label_smoothing=recipe.label_smoothing,
        jit_compile=recipe.jit_compile,
    )
    return gan
