"""Score a generator the way its model card reports it: 10,000 samples, z from seed 1.

    python scripts/score_generator.py runs/dcgan            # a run folder of python -m gan_utils.train
    python scripts/score_generator.py --pretrained dcgan    # a shipped generator in files/pretrained

Prints the metrics row of the model card (``gan_utils.metrics.evaluate`` against the 10,000 MNIST
test images) with the real-versus-real floor at the same sample size, and the predicted-class shares.
A conditional generator is scored on 1,000 samples of each digit, and its class accuracy
(``metrics.conditional_accuracy``) is printed as well.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils import metrics  # noqa: E402

SAMPLES = 10_000
LATENT_SEED = 1


def main(argv: list[str] | None = None) -> int:
    """Score the generator named on the command line and print its model-card rows."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("run", nargs="?", help="run folder holding generator.json (or an older generator.keras)")
    source.add_argument("--pretrained", choices=("vanilla", "dcgan", "cgan"), help="a shipped generator")
    p.add_argument("--samples", type=int, default=SAMPLES)
    args = p.parse_args(argv)
    if args.pretrained:
        generator = gan_utils.load_pretrained(args.pretrained)
    else:
        generator = gan_utils.load_generator(args.run)
    z = gan_utils.latent_batch(generator, args.samples, seed=LATENT_SEED)
    conditional = len(generator.inputs) == 2
    if conditional:  # equally many of each digit
        labels = np.repeat(np.arange(10, dtype="int32"), -(-args.samples // 10))[: args.samples]
        inputs = [z, labels]
    else:
        inputs = z
    images = generator.predict(inputs, batch_size=500, verbose=0)  # inference mode, in batches
    scores = metrics.evaluate(images)
    floor = metrics.real_floor(args.samples)
    print("| | FID (classifier features) | precision | recall | class KL | confidence |")
    print("|---|---|---|---|---|---|")
    print(
        f"| this generator | {scores['fid']:.2f} | {scores['precision']:.3f} | {scores['recall']:.3f} | "
        f"{scores['class_kl']:.3f} | {scores['confidence']:.3f} |"
    )
    print(f"| real-vs-real floor (`metrics.real_floor({args.samples})`) | {floor['fid']:.2f} | "
          f"{floor['precision']:.3f} | {floor['recall']:.3f} | | |")
    print("\nPredicted-class shares:", ", ".join(f"{s:.3f}" for s in scores["class_histogram"]), "(digits 0-9)")
    if conditional:
        acc = metrics.conditional_accuracy(generator, n_per_class=1000, seed=0)
        print("\n| digit | " + " | ".join(str(d) for d in range(10)) + " | all |")
        print("|---" * 12 + "|")
        print("| read as asked | " + " | ".join(f"{100 * a:.1f}%" for a in acc["per_class"]) + f" | **{100 * acc['overall']:.1f}%** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
