"""The GAN as a ``keras.Model``, its losses, its callbacks and its checkpoints.

One training loop serves every GAN in the series: the MLP GAN, the DCGAN and the conditional DCGAN
(a conditional generator is called as ``generator([z, labels])`` and its discriminator as
``discriminator([images, labels])``; the GAN notices this from the generator's inputs).

Typical use::

    gan = GAN(build_dcgan_generator(), build_dcgan_discriminator())
    gan.compile()
    history = fit_gan(gan, images, epochs=5, batch_size=64, output_dir="runs/dcgan")
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import time
import typing
import warnings
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from gan_utils import config, losses, models, plotting
from gan_utils.data import make_dataset
from gan_utils.models import num_classes

#: Anything keras.ops accepts: a NumPy array, a tf.Tensor, a keras tensor.
TensorLike = typing.Any

CHECKPOINT_NAME = "checkpoint.npz"
PREVIOUS_CHECKPOINT_NAME = "checkpoint.prev.npz"


# --------------------------------------------------------------------------------------- losses
# The cross-entropy losses under the names notebook 01 teaches; the families live in gan_utils.losses.
_GENERATOR_LOSS_KINDS = {"non_saturating": "non-saturating", "saturating": "minimax"}


def discriminator_loss(real_logits: TensorLike, fake_logits: TensorLike, label_smoothing: float = 0.0) -> TensorLike:
    """Binary cross-entropy of the discriminator: real images are labelled 1, generated ones 0.

    ``mean(softplus(-real)) + mean(softplus(fake))``, the negative of the value function ``V(D, G)``
    that the discriminator maximises (:func:`gan_utils.losses.bce_discriminator_loss`, the
    discriminator loss of the ``"non-saturating"`` and ``"minimax"`` objectives).

    Example:
        >>> round(float(discriminator_loss(ops.zeros(4), ops.zeros(4))), 4)  # D undecided: 2 log 2
        1.3863
    """
    return losses.bce_discriminator_loss(real_logits, fake_logits, label_smoothing)


def generator_loss(fake_logits: TensorLike, kind: str = "non_saturating") -> TensorLike:
    """The generator's loss on the discriminator's logits for generated images.

    * ``"saturating"``: minimise ``E[log(1 - D(G(z)))]``, the minimax objective as written. When D
      confidently rejects fakes (early training) its gradient vanishes.
    * ``"non_saturating"``: minimise ``-E[log D(G(z))]``. Same fixed point, strong gradients exactly
      when the generator is bad. This is what everyone trains with.

    The objectives ``"non-saturating"`` and ``"minimax"`` of :mod:`gan_utils.losses` use these.

    Example:
        >>> round(float(generator_loss(ops.zeros(4))), 4)  # -log(1/2)
        0.6931
    """
    if kind not in _GENERATOR_LOSS_KINDS:
        raise ValueError(f"kind must be 'non_saturating' or 'saturating', got {kind!r}.")
    return losses.get_objective(_GENERATOR_LOSS_KINDS[kind]).generator_loss(fake_logits)


# ------------------------------------------------------------------------------------ the model
class GAN(keras.Model):
    """A generator and a discriminator trained against each other with ``fit``.

    Each ``train_step`` does ``d_steps`` discriminator steps on a real batch and equally large
    generated batches, then one generator step, with the losses of the objective chosen in
    :meth:`compile` (default: the non-saturating cross-entropy). Logged, averaged over the epoch:
    ``d_loss``, ``g_loss`` and what the objective defines (cross-entropy: ``d_real`` and ``d_fake``,
    the mean D(x) and D(G(z)); Wasserstein: ``w_estimate``, ``score_real``, ``score_fake`` and
    ``penalty``; see :meth:`gan_utils.losses.Objective.logs`).

    Args:
        generator: maps ``z`` (or ``[z, labels]``) to samples.
        discriminator: maps samples (or ``[samples, labels]``) to one logit each.
        sample_count: size of the fixed latent batch used for progress grids (:meth:`sample`).
        ema_decay: if set (e.g. 0.999), keep an exponential moving average of the generator's
            weights in ``ema_generator`` and sample from it; it is smoother than the raw weights.
            The decay warms up from 0.1 (see :meth:`ema_decay_at`), so short runs benefit too.
        seed: seeds the noise drawn during training and the fixed latent batch.

    Example:
        >>> from gan_utils.models import build_mlp_generator, build_mlp_discriminator
        >>> gan = GAN(build_mlp_generator(8, (2,), (16,), None), build_mlp_discriminator((2,), (16,)))
        >>> gan.compile()
        >>> gan.latent_dim, gan.conditional
        (8, False)
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        sample_count: int = 64,
        ema_decay: float | None = None,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise TypeError("GAN needs two keras.Model objects: GAN(generator, discriminator).")
        self.generator = generator
        self.discriminator = discriminator
        self.conditional = len(generator.inputs) == 2
        if self.conditional != (len(discriminator.inputs) == 2):
            raise ValueError(
                "generator and discriminator disagree: both must take labels (conditional GAN) or "
                "neither must."
            )
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.sample_shape = tuple(generator.outputs[0].shape[1:])
        d_shape = tuple(discriminator.inputs[0].shape[1:])
        if d_shape != self.sample_shape:
            raise ValueError(
                f"the generator makes samples of shape {self.sample_shape} but the discriminator "
                f"expects {d_shape}: build both for the same image shape."
            )
        self.num_classes = num_classes(generator) if self.conditional else None
        if isinstance(sample_count, bool) or not isinstance(sample_count, int) or sample_count < 1:
            raise ValueError(f"sample_count (the fixed latent batch) must be a positive integer, e.g. 64; got {sample_count!r}.")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise ValueError(f"seed must be an integer from 0 to 2**32 - 1, got {seed!r}.")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1), e.g. 0.999, or None; got {ema_decay!r}.")
        self.ema_decay = ema_decay
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            models.copy_architecture(generator, self.ema_generator)  # it saves like the generator it follows
            self.ema_generator.trainable = False
        rng = np.random.default_rng(seed)
        self.fixed_z = keras.Variable(
            rng.standard_normal((sample_count, self.latent_dim)).astype("float32"),
            trainable=False,
            name="fixed_z",
        )
        self.fixed_labels = np.arange(sample_count) % (self.num_classes or 1)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.objective = losses.get_objective("non-saturating")
        self.d_steps = 1
        self.trackers = self._trackers(self.objective)
        # Every variable exists now (both networks are built functional models). Saying so stops
        # fit() under a tf.distribute strategy from trying to build the GAN by calling it, which
        # fails: a GAN has a train_step but no call().
        self.built = True

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | None = None,
        g_optimizer: keras.optimizers.Optimizer | None = None,
        *,
        objective: str | losses.Objective = "non-saturating",
        d_steps: int = 1,
        label_smoothing: float = 0.0,
        generator_loss: str | None = None,
        jit_compile: bool | str = "auto",
        **kwargs,
    ) -> None:
        """Set one optimizer per network (default Adam(2e-4, beta_1=0.5), as in the DCGAN paper) and the objective.

        ``objective`` is a loss family of :mod:`gan_utils.losses` by name (``"non-saturating"``,
        ``"minimax"``, ``"wasserstein-gp"``, ``"hinge"``) or an :class:`~gan_utils.losses.Objective`.
        ``d_steps`` discriminator (critic) updates precede each generator update, each on the same
        real batch against freshly generated fakes (WGAN-GP trains with 5). ``label_smoothing``
        applies to the cross-entropy families. ``generator_loss="saturating"`` is the older name of
        ``objective="minimax"``. ``jit_compile=True`` compiles each step with XLA; ``"auto"`` lets
        Keras choose (it picks XLA on GPUs and TPUs, not on CPUs).
        """
        for name, opt in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            if opt is not None and not isinstance(opt, keras.optimizers.Optimizer):
                raise TypeError(
                    f"{name} must be a keras.optimizers.Optimizer, e.g. keras.optimizers.Adam(2e-4, "
                    f"beta_1=0.5); got {type(opt).__name__} {opt!r}."
                )
        if d_optimizer is not None and d_optimizer is g_optimizer:
            raise ValueError(
                "d_optimizer and g_optimizer are the same object: give each network its own "
                "optimizer (each keeps state for its own weights)."
            )
        if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) or not 0.0 <= label_smoothing < 0.5:
            raise ValueError(f"label_smoothing must be a number in [0, 0.5), got {label_smoothing!r}.")
        if generator_loss is not None:
            if generator_loss not in _GENERATOR_LOSS_KINDS:
                raise ValueError(f"generator_loss must be 'non_saturating' or 'saturating', got {generator_loss!r}.")
            objective = _GENERATOR_LOSS_KINDS[generator_loss]
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive integer (discriminator updates per generator update), got {d_steps!r}.")
        objective = losses.get_objective(objective, **({"label_smoothing": float(label_smoothing)} if label_smoothing else {}))
        check_discriminator_for(objective, self.discriminator)
        super().compile(jit_compile=jit_compile, **kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.label_smoothing = float(label_smoothing)
        self.objective, self.d_steps = objective, d_steps
        if tuple(t.name for t in self.trackers) != ("d_loss", "g_loss", *objective.log_names):
            self.trackers = self._trackers(objective)
        # Create the optimizers' state now, inside the caller's tf.distribute scope, and not lazily
        # in the first traced training step, where a distribution strategy cannot create variables.
        for opt, net in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not opt.built:
                opt.build(net.trainable_weights)

    @staticmethod
    def _trackers(objective: losses.Objective) -> list[keras.metrics.Mean]:
        return [keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", *objective.log_names)]

    def fit(self, *args, shuffle: bool = False, **kwargs) -> keras.callbacks.History:
        """Keras' ``fit``, with ``shuffle=False`` by default: datasets from :func:`make_dataset` are
        already shuffled, per epoch (Keras cannot shuffle a ``tf.data`` dataset and would warn)."""
        return super().fit(*args, shuffle=shuffle, **kwargs)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        # Listed here so that fit() resets them at the start of each epoch.
        return list(self.trackers)

    @property
    def sampler(self) -> keras.Model:
        """The generator used for sampling: the moving average if ``ema_decay`` is set."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def _g_inputs(self, z, labels):
        return [z, labels] if self.conditional else z

    def _d_inputs(self, x, labels):
        return [x, labels] if self.conditional else x

    def train_step(self, data):
        real, labels = self._unpack(data)
        batch = ops.shape(real)[0]

        # 1) Discriminator (critic): d_steps updates; real batch -> "real", fresh fakes -> "fake".
        for _ in range(self.d_steps):
            z = self._noise(batch)
            with tf.GradientTape() as tape:
                fake = self.generator(self._g_inputs(z, labels), training=True)
                real_out = self.discriminator(self._d_inputs(real, labels), training=True)
                fake_out = self.discriminator(self._d_inputs(fake, labels), training=True)
                d_loss = self.objective.discriminator_loss(real_out, fake_out)
                total = d_loss
                if self.objective.penalty:  # e.g. WGAN-GP: keep the critic's gradient norm near 1
                    penalty = self.objective.penalty_value(self.discriminator, real, fake, labels, self.seed_generator)
                    total = d_loss + self.objective.penalty_weight * penalty
            self._step(self.d_optimizer, tape, total, self.discriminator)

        # 2) Generator: make the discriminator call its samples real.
        z = self._noise(batch)
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, labels), training=True)
            g_loss = self.objective.generator_loss(self.discriminator(self._d_inputs(fake, labels), training=True))
        self._step(self.g_optimizer, tape, g_loss, self.generator)
        if self.ema_generator is not None:
            self._update_ema()

        logs = {"d_loss": d_loss, "g_loss": g_loss, **self.objective.logs(real_out, fake_out)}
        if self.objective.penalty:
            logs["penalty"] = penalty
        return self._record(logs)

    # The plumbing train_step leaves out: batches, replicas under tf.distribute, metric trackers.
    def _unpack(self, data):
        """``(real images, labels or None)`` from a batch of the dataset."""
        if self.conditional:
            if not isinstance(data, (tuple, list)) or len(data) != 2:
                raise ValueError("a conditional GAN trains on (images, labels) batches.")
            real, labels = data
            return real, ops.cast(labels, "int32")
        return (data[0] if isinstance(data, (tuple, list)) else data), None

    @staticmethod
    def _replicas() -> int:
        return tf.distribute.get_strategy().num_replicas_in_sync

    def _step(self, optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss, network: keras.Model) -> None:
        """One optimizer update of ``network`` on ``loss``.

        Under tf.distribute each replica sees part of the global batch and the optimizer sums the
        replicas' gradients, so each replica's gradient is divided by their number (the gradient
        of its loss divided by that number).
        """
        grads = tape.gradient(loss, network.trainable_weights)
        replicas = self._replicas()
        if replicas > 1:
            grads = [None if g is None else g / replicas for g in grads]
        optimizer.apply(grads, network.trainable_weights)

    def _record(self, values: dict) -> dict:
        """Update the epoch averages with this step's values and return them as the step's logs."""
        for tracker in self.trackers:
            tracker.update_state(values[tracker.name])
        logs = {m.name: m.result() for m in self.metrics}
        if _multi_worker(tf.distribute.get_strategy()):
            # Keras 3 averages each log over the workers with strategy.reduce(MEAN, axis=0), which
            # fails on scalars (tensorflow/tensorflow#72388): hand it one-element vectors instead.
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    def _noise(self, batch):
        """Latent vectors for this replica's share of the global batch.

        Every replica holds the same seed state, so each draws the noise of the whole global batch
        and keeps its own slice: replicas get different z (not copies of one draw), and together
        exactly the z that a single device would draw for the same global batch.
        """
        replicas = self._replicas()
        if replicas == 1:
            return keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        z = keras.random.normal((batch * replicas, self.latent_dim), seed=self.seed_generator)
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        return ops.slice(z, [replica * batch, 0], [batch, self.latent_dim])

    def ema_decay_at(self, step: int) -> "tf.Tensor":
        """The moving average's decay after ``step`` generator updates: ``min(ema_decay, (1+step)/(10+step))``.

        The warm-up (the schedule of ``tf.train.ExponentialMovingAverage`` with ``num_updates``)
        lets the average follow the generator closely early on, when its weights move fast, and
        reach the full decay after ~10,000 steps at 0.999. Without it a 0.999 average lags about
        1,000 steps behind and still draws its initial noise after a minute of CPU training.

        Example:
            >>> from gan_utils.models import build_mlp_generator, build_mlp_discriminator
            >>> gan = GAN(build_mlp_generator(8, (2,), (16,), None), build_mlp_discriminator((2,), (16,)), ema_decay=0.999)
            >>> round(float(gan.ema_decay_at(90)), 3), round(float(gan.ema_decay_at(100_000)), 3)
            (0.91, 0.999)
        """
        step = ops.cast(step, "float32")
        return ops.minimum(ops.cast(self.ema_decay, "float32"), (1.0 + step) / (10.0 + step))

    def _update_ema(self) -> None:
        decay = self.ema_decay_at(self.g_optimizer.iterations)
        for ema_w, w in zip(self.ema_generator.weights, self.generator.weights):
            if w.trainable:
                ema_w.assign(decay * ema_w + (1.0 - decay) * w)
            else:  # batch-norm statistics: follow the live generator
                ema_w.assign(w)

    def sample(self, z: np.ndarray | None = None, labels: np.ndarray | None = None) -> np.ndarray:
        """Generate samples as a NumPy array, from the fixed latent batch unless ``z`` is given.

        Example:
            >>> gan.sample().shape  # doctest: +SKIP
            (64, 28, 28, 1)
        """
        z = self.fixed_z.numpy() if z is None else np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {z.shape}.")
        if self.conditional:
            labels = self.fixed_labels[: len(z)] if labels is None else np.asarray(labels)
            labels = check_labels(labels, len(z), self.num_classes)
        return np.asarray(self.sampler(self._g_inputs(z, labels), training=False))

    def state_variables(self) -> dict[str, list]:
        """Every variable a checkpoint must hold, by group, in a fixed order."""
        for opt, net in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not opt.built:
                opt.build(net.trainable_weights)
        groups = {
            "generator": list(self.generator.variables),
            "discriminator": list(self.discriminator.variables),
            "d_optimizer": list(self.d_optimizer.variables),
            "g_optimizer": list(self.g_optimizer.variables),
            "gan": [self.fixed_z, self.seed_generator.state],
        }
        if self.ema_generator is not None:
            groups["ema_generator"] = list(self.ema_generator.variables)
        return groups


def _multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """True under a MultiWorkerMirroredStrategy that spans several machines (processes)."""
    in_multi_worker_mode = getattr(strategy.extended, "_in_multi_worker_mode", lambda: False)
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and in_multi_worker_mode()


def check_discriminator_for(objective: losses.Objective, discriminator: keras.Model) -> None:
    """Refuse a discriminator that the objective cannot train correctly: batch norm in a critic
    whose penalty is taken per sample (WGAN-GP, R1), or a score family on a sigmoid output."""
    if not objective.batch_norm_allowed:
        norms = [layer.name for layer in _all_layers(discriminator) if isinstance(layer, keras.layers.BatchNormalization)]
        if norms:
            raise ValueError(
                f"objective {objective.name!r} penalises the gradient of each sample's score, but "
                f"{discriminator.name} has batch normalization ({', '.join(norms)}), which mixes the samples "
                "of a batch: build the critic with normalization='layer' (or None), e.g. "
                "build_dcgan_discriminator(normalization='layer')."
            )


def _all_layers(model: keras.Model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def check_labels(labels: np.ndarray, n: int, num_classes: int) -> np.ndarray:
    """Validate integer class labels for a conditional generator and return them as int32.

    Example:
        >>> check_labels([0, 9], 2, 10).tolist()
        [0, 9]
    """
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one integer per latent vector; got {labels.shape}.")
    if labels.size and (not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be integers from 0 to {num_classes - 1}, got {labels.tolist()[:10]}...")
    return labels.astype("int32")


# ---------------------------------------------------------------------------------- checkpoints
def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        h.update(key.encode())
        h.update(np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()


def save_checkpoint(
    gan: GAN, directory: str | os.PathLike, epoch: int, history: dict | None = None, run: dict | None = None
) -> Path:
    """Write the whole training state atomically to ``directory/checkpoint.npz``.

    Holds both networks, both optimizers' state, the fixed latent batch, the noise seed state, the
    epoch counter, the history so far and ``run`` (the settings a resume must match: seed, batch
    size, a fingerprint of the data), plus a SHA-256 digest of all of it. The file is written in
    full to a temporary name, flushed to disk, then renamed into place; the checkpoint it replaces
    is kept as ``checkpoint.prev.npz``. No pickling: plain arrays and a JSON string.
    """
    _check_gan(gan, "save_checkpoint")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"epoch must be the number of completed epochs (an integer >= 0), got {epoch!r}.")
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} is a file: checkpoints go into a folder; choose a folder path.")
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for group, variables in gan.state_variables().items():
        for i, v in enumerate(variables):
            arrays[f"{group}/{i:04d}"] = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
    meta = {"epoch": int(epoch), "history": history or {}, "run": run or {}, "format": 1}
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["digest"] = np.array(_digest(arrays))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    final = directory / CHECKPOINT_NAME
    tmp = directory / (CHECKPOINT_NAME + ".tmp")
    with open(tmp, "wb") as f:
        f.write(buffer.getvalue())
        f.flush()
        os.fsync(f.fileno())
    if final.exists():
        os.replace(final, directory / PREVIOUS_CHECKPOINT_NAME)
    os.replace(tmp, final)
    return final


class CorruptCheckpointError(ValueError):
    """A checkpoint file is unreadable, truncated or does not match its digest."""


def read_checkpoint(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read and verify one checkpoint file; raise :class:`CorruptCheckpointError` naming it if bad."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        digest = str(arrays.pop("digest"))
        meta = json.loads(str(arrays["meta"]))
    except Exception as err:  # noqa: BLE001 - any failure to parse means the file is unusable
        raise CorruptCheckpointError(f"checkpoint {path} is unreadable (truncated or corrupt): {err}") from err
    if _digest(arrays) != digest:
        raise CorruptCheckpointError(f"checkpoint {path} does not match its SHA-256 digest: it is corrupt.")
    return arrays, meta


def restore_checkpoint(gan: GAN, directory: str | os.PathLike) -> dict | None:
    """Load the newest good checkpoint in ``directory`` into ``gan``; return its metadata or None.

    A corrupt or truncated ``checkpoint.npz`` is reported by name, renamed to ``*.corrupt`` so it is
    never read again, and the previous checkpoint is used instead. If no checkpoint there is good,
    :class:`CorruptCheckpointError` is raised: training never silently starts over.
    A leftover ``checkpoint.npz.tmp`` (a save that was interrupted) is never read.
    """
    _check_gan(gan, "restore_checkpoint")
    directory = Path(directory)
    bad = []
    for name in (CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME):
        path = directory / name
        if not path.exists():
            continue
        try:
            arrays, meta = read_checkpoint(path)
        except CorruptCheckpointError as err:
            warnings.warn(f"{err} Keeping it as {path.name}.corrupt and trying the previous checkpoint.", stacklevel=2)
            os.replace(path, path.with_name(path.name + ".corrupt"))
            bad.append(path.name)
            continue
        _assign(gan, arrays, path)
        return meta
    if bad:
        raise CorruptCheckpointError(
            f"no good checkpoint in {directory}: {' and '.join(bad)} are corrupt (kept as *.corrupt). "
            "Start a new run in another folder, or restore the folder from a backup."
        )
    return None


def _check_gan(gan: object, caller: str) -> None:
    if not isinstance(gan, GAN):
        raise TypeError(f"{caller} needs a gan_utils.GAN, got {type(gan).__name__}.")


def _assign(gan: GAN, arrays: dict[str, np.ndarray], path: Path) -> None:
    groups = gan.state_variables()
    expected = {f"{g}/{i:04d}": v for g, vs in groups.items() for i, v in enumerate(vs)}
    stored = {k for k in arrays if k != "meta"}
    if stored != set(expected):
        raise ValueError(
            f"checkpoint {path} was written for a different model ({len(stored)} variables stored, "
            f"{len(expected)} in this GAN): build the same architecture and optimizers, or use a new "
            "output folder."
        )
    for key, var in expected.items():
        if tuple(arrays[key].shape) != tuple(var.shape):
            raise ValueError(
                f"checkpoint {path} was written for a different architecture: {key} ({var.path}) has "
                f"shape {arrays[key].shape} in the file but {tuple(var.shape)} in this model."
            )
    for key, var in expected.items():
        var.assign(arrays[key])


# ------------------------------------------------------------------------------------ callbacks
class SampleGrid(keras.callbacks.Callback):
    """Draw the fixed latent batch every ``every`` epochs: progress is always shown on the same z.

    Frames are kept in ``frames`` (uint8 grids); with ``directory`` each is also saved as
    ``epoch_0001.png``; ``show=True`` displays it inline in a notebook.
    """

    def __init__(self, every: int = 1, directory: str | os.PathLike | None = None, show: bool = False, n: int = 64):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer (draw every N epochs), got {every!r}.")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n (images per grid) must be a positive integer, got {n!r}.")
        self.every, self.show, self.n = every, show, n
        self.directory = Path(directory) if directory else None
        self.frames: list[np.ndarray] = []
        self.epochs: list[int] = []

    def load_frames(self, up_to_epoch: int) -> None:
        """Read back the grids this run saved before a resume (``epoch_NNNN.png`` up to that epoch)."""
        if self.directory is None:
            return
        from PIL import Image

        for epoch in range(1, up_to_epoch + 1):
            path = self.directory / f"epoch_{epoch:04d}.png"
            if path.is_file():
                with Image.open(path) as img:
                    self.frames.append(np.asarray(img.convert("L")))
                self.epochs.append(epoch)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every or len(self.model.sample_shape) not in (2, 3):
            return  # not an epoch to draw, or samples are points (toy GANs), not images
        grid = plotting.image_grid(self.model.sample()[: self.n])
        self.frames.append(grid)
        self.epochs.append(epoch + 1)
        if self.directory:
            plotting.save_image(grid, self.directory / f"epoch_{epoch + 1:04d}.png")
        if self.show:
            plotting.show_grid(grid, title=f"epoch {epoch + 1}")


class GifWriter(keras.callbacks.Callback):
    """Write the frames of a :class:`SampleGrid` into an animated GIF after every epoch."""

    def __init__(self, grid: SampleGrid, path: str | os.PathLike, seconds_per_frame: float = 0.4):
        super().__init__()
        if not isinstance(grid, SampleGrid):
            raise TypeError(f"GifWriter animates the frames of a SampleGrid callback, got {type(grid).__name__}.")
        if isinstance(seconds_per_frame, bool) or not isinstance(seconds_per_frame, (int, float)) or not seconds_per_frame > 0:
            raise ValueError(f"seconds_per_frame must be a positive number, got {seconds_per_frame!r}.")
        self.grid, self.path, self.seconds_per_frame = grid, Path(path), seconds_per_frame

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.grid.frames:
            plotting.save_gif(self.grid.frames, self.path, self.seconds_per_frame, labels=self.grid.epochs)


class Checkpoint(keras.callbacks.Callback):
    """Save the whole training state atomically at the end of every complete epoch whose losses are finite.

    An epoch cut short (by :class:`TimeBudget`, or any callback that sets ``model.stop_training``)
    is not saved: the checkpoint would claim an epoch that was only partly trained, and a resumed
    run would skip the rest of it. Resuming repeats that epoch from its start instead.
    """

    def __init__(self, directory: str | os.PathLike, history: dict | None = None, run: dict | None = None):
        super().__init__()
        self.directory = Path(directory)
        self.history = {k: list(v) for k, v in (history or {}).items()}
        self.run = dict(run or {})
        self.steps_done = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.steps_done = 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.steps_done = batch + 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        steps = (self.params or {}).get("steps")
        if steps is not None and self.steps_done < steps:
            return  # the epoch was cut short: keep the checkpoint of the last complete one
        if not all(math.isfinite(float(v)) for v in logs.values()):
            return  # never overwrite a good checkpoint with a diverged state
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))
        save_checkpoint(self.model, self.directory, epoch + 1, self.history, self.run)


class EpochProgress(keras.callbacks.Callback):
    """A compact progress line per epoch for notebooks: live while the epoch runs, one line after.

    Keras' progress bar redraws itself with carriage returns; a live notebook shows the last state,
    but a saved or rendered notebook (nbconvert's HTML, GitHub) keeps every redraw, hundreds of lines
    per epoch. This callback shows each epoch as one output that it updates in place (an IPython
    display with an id, at most every ``interval`` seconds), so the saved notebook holds exactly one
    line per epoch: ``Epoch 3/10  938/938  12 s  d_loss 0.612  g_loss 0.951 ...``.
    :func:`fit_gan` uses it in notebooks; in a terminal Keras' own bar stays.
    """

    def __init__(self, epochs: int, steps: int | None = None, interval: float = 0.5) -> None:
        super().__init__()
        self.epochs, self.steps, self.interval = epochs, steps, interval
        self.handle = None
        self.lines: list[str] = []

    def _line(self, epoch: int, step: int, logs: dict | None, done: bool) -> str:
        steps = f"{step}/{self.steps}" if self.steps else str(step)
        width = len(str(self.steps)) * 2 + 1 if self.steps else 0
        seconds = time.perf_counter() - self.start
        order = {name: i for i, name in enumerate(("d_loss", "g_loss", "d_real", "d_fake"))}
        names = sorted((k for k, v in (logs or {}).items() if np.ndim(v) == 0), key=lambda k: (order.get(k, len(order)), k))
        scores = "  ".join(f"{k} {float(logs[k]):.3f}" for k in names)
        bar = ""
        if self.steps and not done:
            filled = int(20 * step / self.steps)
            bar = "[" + "=" * filled + ">" + " " * (20 - filled) + "]  "
        return f"Epoch {epoch + 1}/{self.epochs}  {steps:>{width}}  {bar}{seconds:.0f} s  {scores}".rstrip()

    def _show(self, text: str) -> None:
        from IPython.display import display

        if self.handle is None:
            self.handle = display({"text/plain": text}, raw=True, display_id=True)
        else:
            self.handle.update({"text/plain": text}, raw=True)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch, self.start, self.last, self.handle = epoch, time.perf_counter(), 0.0, None
        self._show(self._line(epoch, 0, None, done=False))

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        now = time.perf_counter()
        if now - self.last >= self.interval:
            self.last = now
            self._show(self._line(self.epoch, batch + 1, logs, done=False))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        line = self._line(epoch, self.steps or 0, logs, done=True)
        self.lines.append(line)
        self._show(line)


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite."""


class StopOnNonFinite(keras.callbacks.Callback):
    """Stop training with :class:`NonFiniteLossError` as soon as a loss is NaN or infinite.

    The message names the epoch and step. Because it is raised before the epoch ends, the
    :class:`Checkpoint` of the last good epoch stays untouched.
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        for key in ("d_loss", "g_loss"):
            value = float((logs or {}).get(key, 0.0))
            if not math.isfinite(value):
                raise NonFiniteLossError(
                    f"{key} became {value} at epoch {self.epoch + 1}, step {batch + 1}; training "
                    "stopped. The last good checkpoint (if any) is kept: lower the learning rates, "
                    "check the data is scaled to [-1, 1], then resume."
                )


class TimeBudget(keras.callbacks.Callback):
    """Stop training cleanly (after the current step) once ``seconds`` of training have passed."""

    def __init__(self, seconds: float):
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"time budget must be a positive number of seconds, got {seconds!r}.")
        self.seconds = float(seconds)
        self.stopped_early = False
        self.stopped_mid_epoch = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self.stopped_early and time.perf_counter() - self.start >= self.seconds:
            self.model.stop_training = True
            self.stopped_early = True
            steps = (self.params or {}).get("steps")
            self.stopped_mid_epoch = steps is not None and batch + 1 < steps


# ----------------------------------------------------------------------------------- the driver
def fit_gan(
    gan: GAN,
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    epochs: int,
    batch_size: int = 64,
    seed: int = 0,
    output_dir: str | os.PathLike | None = None,
    resume: bool = False,
    time_budget: float | None = None,
    sample_every: int = 1,
    show_samples: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: str | int = "auto",
) -> keras.callbacks.History:
    """Train a compiled :class:`GAN` with ``fit``, with checkpoints, progress grids and guards.

    With ``output_dir``, the whole state is checkpointed after every epoch and the fixed-z grids go
    to ``output_dir/samples/`` and ``output_dir/progress.gif``. ``resume=True`` continues from the
    last good checkpoint there (the data order is a function of ``(seed, epoch)``, so a resumed run
    ends exactly where an uninterrupted one would). Training stops with a clear error if a loss
    becomes NaN or infinite, and cleanly after ``time_budget`` seconds.

    ``verbose="auto"`` shows progress as :class:`EpochProgress` does in a notebook (live, and one
    line per epoch once saved or rendered) and as Keras' bar in a terminal; 0 is silent, 1 and 2
    are Keras' own.

    Returns:
        Keras' ``History``; ``history.history`` covers all epochs, including those before a resume.

    Example:
        >>> history = fit_gan(gan, x, epochs=5, output_dir="runs/dcgan")  # doctest: +SKIP
    """
    if not isinstance(gan, GAN):
        raise TypeError(f"fit_gan trains a gan_utils.GAN, got {type(gan).__name__}.")
    if getattr(gan, "d_optimizer", None) is None:
        raise ValueError("compile the GAN first: gan.compile() (optionally with optimizers).")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
    images = np.asarray(images)
    if images.shape[1:] != gan.sample_shape:
        raise ValueError(
            f"images have shape {images.shape[1:]} but this GAN makes {gan.sample_shape}: load data "
            "of the model's shape (MNIST is (28, 28, 1), scaled to [-1, 1])."
        )
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(
            f"images have dtype {images.dtype}; the GAN trains on floats scaled like its generator's "
            "output: load_mnist() gives [-1, 1], or scale uint8 pixels with scale_images()."
        )
    if not np.all(np.isfinite(images)):
        raise ValueError("images contain NaN or infinite values: the losses would be NaN from the first step.")
    for cb in callbacks:
        if not isinstance(cb, keras.callbacks.Callback):
            raise TypeError(f"callbacks must be keras.callbacks.Callback objects, got {type(cb).__name__}.")
    if gan.conditional and labels is None:
        raise ValueError("a conditional GAN needs labels: fit_gan(gan, images, labels, ...).")
    if labels is not None and gan.conditional:
        check_labels(labels, len(images), gan.num_classes)
    if not gan.conditional:
        labels = None

    start_epoch, previous = 0, {}
    run = {"seed": int(seed), "batch_size": int(batch_size), "images": len(images), "data_sha256": _fingerprint(images, labels)}
    out = Path(output_dir) if output_dir is not None else None
    if out is not None:
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(f"output_dir {out} is a file: give a folder for the checkpoints and samples.")
        has_checkpoint = any((out / n).exists() for n in (CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME))
        if has_checkpoint and not resume:
            raise FileExistsError(
                f"{out} already holds a training checkpoint. Pass resume=True (--resume) to continue "
                "it, or choose another output folder; nothing was overwritten."
            )
        if resume:
            meta = restore_checkpoint(gan, out)
            if meta is not None:
                _check_same_run(meta.get("run") or {}, run, out)
                start_epoch, previous = meta["epoch"], meta["history"]
    elif resume:
        raise ValueError("resume=True needs output_dir, the folder holding the checkpoint.")

    if start_epoch >= epochs:  # the run already finished: nothing to train
        done = keras.callbacks.History()
        done.history = previous
        done.sample_grid = SampleGrid(sample_every, out / "samples")
        done.sample_grid.load_frames(start_epoch)
        done.stopped_by_time_budget, done.epochs_completed = False, start_epoch
        return done
    dataset = make_dataset(images, labels, batch_size=batch_size, seed=seed, epochs=epochs, start_epoch=start_epoch)
    grid = SampleGrid(sample_every, out / "samples" if out else None, show=show_samples)
    if start_epoch and out is not None:
        grid.load_frames(start_epoch)  # the GIF of a resumed run starts at epoch 1, not at the resume
    budget = TimeBudget(time_budget) if time_budget is not None else None
    steps_per_epoch = len(images) // batch_size
    if verbose == "auto" and config.in_notebook():  # one line per epoch in a saved notebook, not hundreds
        callbacks = [*callbacks, EpochProgress(epochs, steps_per_epoch)]
        verbose = 0
    all_callbacks: list[keras.callbacks.Callback] = [StopOnNonFinite(), grid, *callbacks, *([budget] if budget else [])]
    if out is not None:  # last, so the checkpoint's history includes what other callbacks logged
        all_callbacks += [GifWriter(grid, out / "progress.gif"), Checkpoint(out, previous, run)]
    result = gan.fit(
        dataset,
        epochs=epochs,
        initial_epoch=start_epoch,
        steps_per_epoch=steps_per_epoch,
        callbacks=all_callbacks,
        verbose=verbose,
    )
    merged = {k: list(previous.get(k, [])) + [float(v) for v in vals] for k, vals in result.history.items()}
    result.history = merged
    result.sample_grid = grid  # the frames, for plotting and animations
    budgets = [cb for cb in all_callbacks if isinstance(cb, TimeBudget)]
    result.stopped_by_time_budget = any(cb.stopped_early for cb in budgets)
    result.epochs_completed = len(merged.get("d_loss", [])) - int(any(cb.stopped_mid_epoch for cb in budgets))
    return result


def _fingerprint(images: np.ndarray, labels: np.ndarray | None) -> str:
    """SHA-256 of the training data, so that a resume can tell it is fed the same images."""
    h = hashlib.sha256(np.ascontiguousarray(images).tobytes())
    if labels is not None:
        h.update(np.ascontiguousarray(labels).tobytes())
    return h.hexdigest()


def _check_same_run(saved: dict, current: dict, directory: Path) -> None:
    """Refuse to resume a checkpoint with other data, seed or batch size: it would not continue that run."""
    differ = [k for k in current if k in saved and saved[k] != current[k]]
    if differ:
        said = ", ".join(f"{k}={saved[k]!r} (now {current[k]!r})" for k in differ if k != "data_sha256")
        if "data_sha256" in differ:
            said = (said + ", " if said else "") + "different training images (digits, subset or file)"
        raise ValueError(
            f"the checkpoint in {directory} belongs to a run with other settings: {said}. Resume with "
            "the same settings, or train into a new output folder."
        )
