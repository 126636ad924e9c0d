"""keras-io's DCGAN example ("DCGAN to generate face images", CelebA at 64x64), rebuilt for ``gan_utils.GAN``.

Source: https://keras.io/examples/generative/dcgan_overriding_train_step/ (the file
https://github.com/keras-team/keras-io/blob/master/examples/generative/dcgan_overriding_train_step.py,
by François Chollet; created 2019/04/29, last modified 2023/12/21, the Keras 3 version). Its
settings, every one reproduced here:

* data: CelebA faces resized to 64x64 RGB, scaled to [0, 1] (``x / 255``); batch size 32.
* generator: z of length 128 -> Dense(8 * 8 * 128), no activation -> reshape (8, 8, 128) ->
  Conv2DTranspose(128, 4, stride 2, "same") -> LeakyReLU(0.2) -> Conv2DTranspose(256, 4, stride 2)
  -> LeakyReLU(0.2) -> Conv2DTranspose(512, 4, stride 2) -> LeakyReLU(0.2) -> Conv2D(3, 5, "same",
  sigmoid). 3,979,651 parameters.
* discriminator: image (64, 64, 3) -> Conv2D(64, 4, stride 2, "same") -> LeakyReLU(0.2) ->
  Conv2D(128, 4, stride 2) -> LeakyReLU(0.2) -> Conv2D(128, 4, stride 2) -> LeakyReLU(0.2) ->
  Flatten -> Dropout(0.2) -> Dense(1, sigmoid). 404,801 parameters.
* Keras' defaults everywhere else: biases in every layer, Glorot-uniform kernels, zero biases, no
  normalisation layer.
* optimizers: ``Adam(learning_rate=1e-4)`` for each network (beta_1 0.9, beta_2 0.999, epsilon
  1e-7: Keras' defaults).
* loss: ``keras.losses.BinaryCrossentropy()`` on the sigmoid outputs. Each step trains the
  discriminator once on fresh fakes and the real batch, concatenated, fakes labelled 1 and reals 0,
  with ``0.05 * uniform[0, 1)`` added to every label ("Add random noise to the labels - important
  trick!"), the loss averaged over all 2 x 32 images; then the generator once on fresh fakes
  labelled 0 ("all real images").
* no moving average of the generator, no XLA on a CPU (``compile()``'s ``jit_compile="auto"`` only
  compiles on GPUs and TPUs).

The networks and the losses compute what the example computes. The adaptations, and why each
leaves the training the same:

1. **Sigmoid in the loss.** The discriminator ends with ``Dense(1)``, a logit, as every
   ``gan_utils`` discriminator does; the loss applies the sigmoid. Keras does the same to the
   example: a sigmoid output keeps its logit, and ``BinaryCrossentropy`` computes
   ``tf.nn.sigmoid_cross_entropy_with_logits`` from it, without clipping probabilities (checked
   with Keras 3.15: with a label of 1.05 and a logit of 40 the loss is -2.0, which the clipped
   formula would not give). So the loss here is ``softplus(l) - t * l``, TensorFlow's formula for
   that function, and labels above 1 push fakes' logits up without bound, as in the example.
2. **Which label means "real".** ``gan_utils.GAN`` reads a logit as "real"; the example's sigmoid
   says "fake". Cross-entropy is symmetric, ``BCE(t, p) = BCE(1 - t, 1 - p)``, and the last
   Dense's Glorot-uniform initialisation is symmetric about 0, so negating the logit is a mere
   relabelling: the targets become ``1 - 0.05 u`` for real images and ``-0.05 u`` for fakes
   (:func:`noisy_label_bce`), and the generator's loss, the cross-entropy against "real", is
   ``softplus(-D(G(z)))``, the project's non-saturating loss, unchanged.
3. **Label noise** is drawn with ``keras.random.uniform`` from the GAN's seeded generator, instead of
   the unseeded global ``tf.random.uniform``, so that a run can be repeated; the distribution is the
   same. It lives in :class:`KerasIoGAN`, the one method that differs from ``gan_utils.GAN``.
4. **Dropout does not drop.** The example's ``train_step`` calls its discriminator without
   ``training=True``; Keras then runs the call in inference mode (no outer call sets it), so the
   Dropout(0.2) layer never drops anything during the example's training (checked with Keras 3.15,
   in a ``train_step`` run by ``fit``). ``gan_utils.GAN`` calls
   its networks with ``training=True``, which would switch it on, so by default the layer is left
   out; it has no weights, and the parameter count stays the example's. ``dropout=True`` puts it in,
   active, as the example's list of layers reads.
5. **Pixel range.** The project's images are in [-1, 1]; the example's are in [0, 1]. The generator
   keeps its sigmoid and ends with ``Rescaling(2, offset=-1)``; the discriminator starts with
   ``Rescaling(0.5, offset=0.5)``. Between the two, the networks see and make exactly the example's
   values.
6. **The loop** is ``gan_utils.GAN`` with ``fit_gan``, the project recipe's own: shuffled full
   batches from images held in memory (the example streams files through
   ``image_dataset_from_directory``, whose last, partial batch it keeps), real and fake batches
   through the discriminator in two calls instead of one concatenated call (the same outputs: no
   layer here mixes the images of a batch). As in the example, the discriminator step makes its
   fakes outside its gradient tape. So a comparison with the project's recipe differs in the
   recipe (networks, optimizers, batch size, loss) only.

Not reproduced: CelebA itself (the benchmark trains both models on the same folder of images),
the example's per-epoch ``GANMonitor`` images, and its 100-epoch length (the benchmark trains
for a time budget).

Not part of ``gan_utils``: the benchmarks import it, the package never does.

Example:
    >>> from benchmarks.keras_io_dcgan import build_keras_io_gan, KERAS_IO_BATCH_SIZE
    >>> gan = build_keras_io_gan(seed=0)                                        # doctest: +SKIP
    >>> gan.generator.count_params(), gan.discriminator.count_params()          # doctest: +SKIP
    (3979651, 404801)
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from gan_utils.gan import GAN

SOURCE_URL = "https://keras.io/examples/generative/dcgan_overriding_train_step/"
KERAS_IO_IMAGE_SHAPE = (64, 64, 3)
KERAS_IO_LATENT_DIM = 128
KERAS_IO_BATCH_SIZE = 32
KERAS_IO_LR = 1e-4
#: The example adds ``LABEL_NOISE * uniform[0, 1)`` to every label of the discriminator's batch.
LABEL_NOISE = 0.05
#: The example's discriminator has Dropout(0.2) before its last layer (inactive in its training: see the module's notes).
KERAS_IO_DROPOUT = 0.2


def build_keras_io_generator(latent_dim: int = KERAS_IO_LATENT_DIM) -> keras.Model:
    """The example's generator: Dense 8x8x128, three 4x4 transposed convolutions (128, 256, 512), a 5x5 convolution.

    It ends with the example's sigmoid, then maps [0, 1] to the project's [-1, 1].

    Example:
        >>> build_keras_io_generator().count_params()          # doctest: +SKIP
        3979651
    """
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(8 * 8 * 128)(z)
    h = layers.Reshape((8, 8, 128))(h)
    for filters in (128, 256, 512):
        h = layers.Conv2DTranspose(filters, kernel_size=4, strides=2, padding="same")(h)
        h = layers.LeakyReLU(negative_slope=0.2)(h)
    h = layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid", name="image_0_1")(h)
    image = layers.Rescaling(2.0, offset=-1.0, name="image_minus1_1")(h)
    return keras.Model(z, image, name="keras_io_generator")


def build_keras_io_discriminator(dropout: bool = False) -> keras.Model:
    """The example's discriminator: three 4x4 strided convolutions (64, 128, 128), flatten, one logit.

    Images in [-1, 1] are mapped to the example's [0, 1] first. The example's sigmoid is applied by
    the loss (:func:`noisy_label_bce`), as Keras applies it to the example. ``dropout=True`` adds the
    example's Dropout(0.2) before the last layer, active in training; by default it is left out, as
    it never drops in the example's own training (see the module's notes).

    Example:
        >>> build_keras_io_discriminator().count_params()      # doctest: +SKIP
        404801
    """
    x = keras.Input(KERAS_IO_IMAGE_SHAPE, name="image")
    h = layers.Rescaling(0.5, offset=0.5, name="image_0_1")(x)
    for filters in (64, 128, 128):
        h = layers.Conv2D(filters, kernel_size=4, strides=2, padding="same")(h)
        h = layers.LeakyReLU(negative_slope=0.2)(h)
    h = layers.Flatten()(h)
    if dropout:
        h = layers.Dropout(KERAS_IO_DROPOUT)(h)
    logit = layers.Dense(1, name="logit_real")(h)
    return keras.Model(x, logit, name="keras_io_discriminator")


def noisy_label_bce(real_logits, fake_logits, real_noise, fake_noise):
    """The example's discriminator loss, with a logit that says "real" (see the module's notes, 1 and 2).

    Binary cross-entropy from logits, ``softplus(l) - t * l``, against targets ``1 - real_noise``
    for the real images and ``-fake_noise`` for the fakes, averaged over both batches together
    (the example's one concatenated batch: half the sum of the two batches' means).

    Example:
        >>> zeros = ops.zeros((4, 1))
        >>> round(float(noisy_label_bce(zeros, zeros, zeros, zeros)), 4)   # undecided, no noise: log 2
        0.6931
    """

    def bce(targets, logits):
        return ops.softplus(logits) - targets * logits

    return 0.5 * (ops.mean(bce(1.0 - real_noise, real_logits)) + ops.mean(bce(-fake_noise, fake_logits)))


class KerasIoGAN(GAN):
    """``gan_utils.GAN`` with the example's discriminator loss: noisy labels, one mean over reals and fakes.

    Only :meth:`discriminator_step` differs from ``GAN``'s: the loss, the label noise it draws, and
    fakes made outside the gradient tape. The generator step is ``GAN``'s with the non-saturating
    loss, which is the example's.
    One device only (the label noise is not split across ``tf.distribute`` replicas).
    """

    def discriminator_step(self, real, labels=None) -> dict:
        batch = ops.shape(real)[0]
        z = self._noise(batch)
        noise = LABEL_NOISE * keras.random.uniform((2, batch, 1), seed=self.seed_generator)
        fake = self.generator(z, training=True)  # outside the tape, as in the example
        real, fake = self.augment(real), self.augment(fake)  # as GAN's step (off here, as in the example)
        with tf.GradientTape() as tape:
            real_out = self.discriminator(real, training=True)
            fake_out = self.discriminator(fake, training=True)
            d_loss = noisy_label_bce(real_out, fake_out, noise[0], noise[1])
        self._step(self.d_optimizer, tape, d_loss, self.discriminator)
        return {"d_loss": d_loss, **self.objective.logs(real_out, fake_out)}


def build_keras_io_gan(seed: int = 0, dropout: bool = False, jit_compile: bool = False) -> KerasIoGAN:
    """Build and compile the example's DCGAN for 64x64 colour images in [-1, 1] (Adam 1e-4 for both networks).

    Train it with ``fit_gan(gan, images, batch_size=KERAS_IO_BATCH_SIZE, ...)``.
    """
    gan = KerasIoGAN(build_keras_io_generator(), build_keras_io_discriminator(dropout), seed=seed, name="keras_io_gan")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(KERAS_IO_LR),
        g_optimizer=keras.optimizers.Adam(KERAS_IO_LR),
        objective="non-saturating",
        jit_compile=jit_compile,
    )
    return gan
