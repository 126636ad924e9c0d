"""The run folder (issue 25): one record, interrupts that keep the work, exact resumes from any step,
a folder that is the run's alone, a length in images shown, logs a file can read.

The command line runs in subprocesses (real SIGINT and SIGTERM) and in this process, on 256 MNIST
images in batches of 32 (8 steps a pass); every command the tool prints as advice is run as printed.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gan_utils
from gan_utils import runs, train
from gan_utils.checkpoints import CHECKPOINT_NAME, read_checkpoint

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ENV.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the command line must quiet TensorFlow itself
RUN = ("--subset", "256", "--batch-size", "32", "--seed", "1", "--epochs", "6", "--smoke")  # 6 passes of 8 steps


def start(out: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "gan_utils.train", "dcgan", "--output", str(out), *RUN, *extra]  # the last --steps counts
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def signal_after_first_line(process: subprocess.Popen, signum: int) -> list[str]:
    """Send ``signum`` once the run has printed its first progress line (the end of its first epoch), mid-run."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("step "):
            time.sleep(0.3)  # a few steps more: stopped at a step that is no epoch's end
            process.send_signal(signum)
            break
    return lines


def finish(process: subprocess.Popen, lines: list[str]) -> tuple[str, str]:
    out, err = process.communicate(timeout=300)
    return "".join(lines) + out, err


def advice(printed: str) -> str:
    """The command after 'to go on: ' (or 'To train longer: ') in a printed line."""
    for key in ("to go on: ", "To train longer: ", "to continue it, ", "To start one: "):
        if key in printed:
            return printed.split(key, 1)[1].splitlines()[0].split("; to start another")[0]
    raise AssertionError(f"no advice in {printed!r}")


def checkpoint_state(folder: Path) -> dict:
    arrays, meta = read_checkpoint(folder / CHECKPOINT_NAME)
    return {"arrays": arrays, "step": meta["step"], "history": meta["history"]}


def assert_same_weights(a: Path, b: Path) -> None:
    sa, sb = checkpoint_state(a), checkpoint_state(b)
    assert sa["step"] == sb["step"]
    differ = [k for k in sa["arrays"] if k != "meta" and not np.array_equal(sa["arrays"][k], sb["arrays"][k])]
    assert not differ, f"{len(differ)} variables differ, e.g. {differ[:3]}"
    assert sa["history"] == sb["history"]


@pytest.fixture(scope="module")
def runs_done(tmp_path_factory) -> dict:
    """An uninterrupted run (in this process), and two runs stopped by SIGINT and SIGTERM (subprocesses, side by side)."""
    base = tmp_path_factory.mktemp("runs")
    done = {name: base / name for name in ("straight", "sigint", "sigterm")}
    a, b = start(done["sigint"]), start(done["sigterm"], "--epochs", "600")
    a_lines, b_lines = signal_after_first_line(a, signal.SIGINT), signal_after_first_line(b, signal.SIGTERM)
    done["sigint_out"], done["sigint_err"] = finish(a, a_lines)
    done["sigterm_out"], done["sigterm_err"] = finish(b, b_lines)
    done["codes"] = (a.returncode, b.returncode)
    done["sigint_step"] = checkpoint_state(done["sigint"])["step"]
    done["loads_after_interrupt"] = gan_utils.load_generator(done["sigint"]).output_shape
    done["resumed"] = train.main(shlex.split(advice(done["sigint_out"]))[3:])  # as printed, in this process
    assert train.main(["dcgan", "--output", str(done["straight"]), *RUN, "--quiet"]) == 0
    return done


# ------------------------------------------------------------------------------ interrupts
def test_sigint_saves_says_what_and_exits_130_without_a_traceback(runs_done):
    assert runs_done["codes"][0] == 130
    assert "Traceback" not in runs_done["sigint_err"] + runs_done["sigint_out"]
    last = runs_done["sigint_out"].strip().splitlines()[-1]
    step = runs_done["sigint_step"]
    assert last.startswith(f"[gan_utils.train] SIGINT: saved step {step} of 48 in ") and "generator.json" in last
    assert 8 <= step < 48, "stopped mid-run"
    assert runs_done["loads_after_interrupt"] == (None, 28, 28, 1)  # load_generator works on the stopped run


def test_sigterm_saves_and_exits_143(runs_done):
    assert runs_done["codes"][1] == 143 and "Traceback" not in runs_done["sigterm_err"]
    assert "SIGTERM: saved step" in runs_done["sigterm_out"]
    assert checkpoint_state(runs_done["sigterm"])["step"] > 0


def test_the_printed_command_resumes_to_the_weights_of_an_uninterrupted_run(runs_done):
    assert advice(runs_done["sigint_out"]) == runs.resume_command(runs_done["sigint"])
    assert runs_done["resumed"] == 0
    assert_same_weights(runs_done["straight"], runs_done["sigint"])  # a run with --subset, --seed, --batch-size, --steps


def test_a_log_file_gets_progress_lines_with_an_eta_and_no_tensorflow_lines(runs_done):
    out, err = runs_done["sigint_out"], runs_done["sigint_err"]
    assert "\r" not in out and "\x1b" not in out
    assert any(line.startswith("step 8/48 (17 %)  epoch 1/6  d_loss ") and "ETA" in line for line in out.splitlines())
    assert not [line for line in err.splitlines() if line[:5] in ("E0000", "W0000", "I0000")], err[-1000:]
    rows = (runs_done["sigint"] / runs.HISTORY_CSV).read_text().splitlines()
    assert rows[0].startswith("epoch,step,") and [r.split(",")[:2] for r in rows[1:]] == [[str(e), str(8 * e)] for e in range(1, 7)]


def test_the_record_keeps_each_session(runs_done):
    record = json.loads((runs_done["sigint"] / runs.RUN_FILE).read_text())
    assert record["format"] == runs.RECORD_FORMAT and record["spec"]["steps"] == 48 and record["spec"]["seed"] == 1
    assert [s["ended"] for s in record["sessions"]] == ["SIGINT", "finished"]
    assert record["sessions"][1]["from_step"] == runs_done["sigint_step"]


# ------------------------------------------------------------------- resume and its refusals
def test_a_budget_shorter_than_an_epoch_saves_its_step_and_the_resume_goes_on_from_it(runs_done, tmp_path, capsys):
    out = tmp_path / "budget"
    assert train.main(["dcgan", "--output", str(out), *RUN, "--quiet", "--time-budget", "1e-6"]) == 0
    printed = capsys.readouterr().out
    assert "stopped training at step 1 of 48" in printed and checkpoint_state(out)["step"] == 1
    assert train.main(shlex.split(advice(printed))[3:] + ["--quiet"]) == 0
    assert_same_weights(runs_done["straight"], out)


def test_resume_with_another_seed_is_refused_in_one_line(runs_done, capsys):
    with pytest.raises(SystemExit) as exit:
        train.main(["--resume", "--output", str(runs_done["straight"]), "--seed", "5"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit.value.code == 2 and len(err) == 1
    assert f"--seed 5 contradicts the run in {runs_done['straight']} (recorded: 1)" in err[0]


def test_a_finished_run_says_it_is_complete_and_how_to_train_longer(runs_done, tmp_path, capsys):
    out = tmp_path / "finished"
    assert train.main(["dcgan", "--output", str(out), *RUN[:-3], "--steps", "8", "--smoke", "--quiet"]) == 0
    capsys.readouterr()
    assert train.main(["--resume", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{out} is complete: 8 of 8 steps. To train longer: " in printed
    assert train.main(shlex.split(advice(printed))[3:] + ["--quiet"]) == 0
    assert checkpoint_state(out)["step"] == 16


def test_a_new_run_into_a_run_folder_is_refused_with_the_command_that_continues_it(runs_done, capsys):
    with pytest.raises(SystemExit):
        train.main(["dcgan", "--output", str(runs_done["straight"])])
    command = advice(capsys.readouterr().err)
    assert command == runs.resume_command(runs_done["straight"])
    assert train.main(shlex.split(command)[3:]) == 0  # as printed: the run is complete, and says so
    assert "is complete" in capsys.readouterr().out


# ---------------------------------------------------------------------------- the folder
def test_output_into_a_folder_of_your_own_files_is_refused_and_leaves_them_untouched(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "samples.png").write_bytes(b"my picture")
    (out / "history.json").write_text("{\"mine\": 1}")
    with pytest.raises(SystemExit) as exit:
        train.main(["dcgan", "--output", str(out), *RUN])
    assert exit.value.code == 2
    assert "is not empty (history.json, samples.png) and holds no run" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["history.json", "samples.png"]
    assert (out / "samples.png").read_bytes() == b"my picture" and (out / "history.json").read_text() == "{\"mine\": 1}"


def test_resume_on_a_folder_with_no_run_is_refused_and_the_advice_starts_one(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    with pytest.raises(SystemExit) as exit:
        train.main(["--resume", "--output", str(out)])
    assert exit.value.code == 2 and list(out.iterdir()) == []
    command = advice(capsys.readouterr().err)
    assert command == f"python -m gan_utils.train dcgan --output {out}"
    assert train.main(shlex.split(command)[3:] + ["--subset", "64", "--batch-size", "32", "--steps", "2", "--quiet"]) == 0


def test_a_folder_from_before_run_records_loads_and_says_what_to_do(tmp_path, capsys):
    out = tmp_path / "old"
    out.mkdir()
    (out / "data.json").write_text(json.dumps({"kind": "mnist", "data": "mnist.npz", "digits": None}))
    with pytest.raises(SystemExit):
        train.main(["--resume", "--output", str(out)])
    assert "written by an older gan_utils, before run records" in capsys.readouterr().err


# ------------------------------------------------------------------------------- length
def test_the_length_is_counted_in_images_shown_whatever_the_data_size():
    assert runs.recipe_steps(10, 64) == 9370 == 10 * (60_000 // 64)  # MNIST's 10 epochs, as the shipped weights
    spec = runs.RunSpec(0, 64, 200, "", (32, 32, 3), None, 937, 9370)
    assert "3,123.3 passes over the 200 images; DiffAugment advised" in runs.augment_advice(spec, 9370)
    assert "DiffAugment not needed" in runs.augment_advice(runs.RunSpec(0, 64, 60_000, "", (28, 28, 1), None, 937, 9370), 9370)


def test_a_time_budget_alone_trains_until_the_budget(tmp_path, capsys):
    out = tmp_path / "budget_only"
    assert train.main(["dcgan", "--output", str(out), "--subset", "64", "--batch-size", "32", "--smoke", "--quiet",
                       "--time-budget", "4"]) == 0
    printed = capsys.readouterr().out
    assert "length: until the time budget, time budget 4 s; 2 steps per pass over the 64 images" in printed
    assert "the time budget (4 s) stopped training" in printed
    record = runs.read_record(out)
    assert record["spec"].steps is None and record["sessions"][-1]["ended"] == "time budget"  # no length but the budget


# ------------------------------------------------------------------------- --stream, --version
def test_stream_on_loose_files_and_one_sub_folder_trains_dcgan(tmp_path):
    from PIL import Image

    folder = tmp_path / "photos"
    (folder / "more").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(24):
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(folder / ("more" if i % 3 == 0 else ".") / f"{i}.png")
    out = tmp_path / "run"
    assert train.main(["dcgan", "--images", str(folder), "--stream", "--cache-dir", str(tmp_path / "cache"), "--image-size", "32",
                       "--channels", "3", "--batch-size", "8", "--steps", "2", "--output", str(out), "--quiet"]) == 0
    assert gan_utils.load_generator(out).output_shape == (None, 32, 32, 3)


def test_tensorboard_logs_or_says_which_package_it_needs(tmp_path, capsys):
    import importlib.util

    out = tmp_path / "tb"
    command = ["dcgan", "--output", str(out), "--subset", "64", "--batch-size", "32", "--steps", "2", "--quiet", "--tensorboard"]
    if importlib.util.find_spec("tensorboard") is None:
        with pytest.raises(SystemExit):
            train.main(command)
        assert "needs its package: pip install tensorboard" in capsys.readouterr().err and not out.exists()
    else:
        assert train.main(command) == 0
        assert list((out / "tensorboard").rglob("events.out.tfevents.*"))


def test_version(capsys):
    with pytest.raises(SystemExit) as exit:
        train.main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out.strip() == f"gan_utils {gan_utils.__version__}"


# ------------------------------------------------------------------------- fit_gan in a notebook
def test_fit_gan_stopped_by_ctrl_c_in_a_cell_saves_and_the_rerun_cell_ends_as_an_uninterrupted_run(mnist_small, tmp_path):
    import keras

    x = mnist_small[0][:96]

    class CtrlC(keras.callbacks.Callback):  # the notebook's stop button sends SIGINT to the kernel
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    def cell(callbacks=()):
        gan_utils.set_seed(0)
        gan = gan_utils.build_gan(gan_utils.get_recipe("dcgan", width=8, latent_dim=8), seed=0)
        gan_utils.fit_gan(gan, x, epochs=2, batch_size=32, seed=0, output_dir=tmp_path / "run", resume=True,
                          callbacks=list(callbacks), verbose=0)
        return gan

    with pytest.raises(runs.TrainingInterrupted, match=r"SIGINT: saved step 2 of 6 in "):
        cell([CtrlC()])
    assert checkpoint_state(tmp_path / "run")["step"] == 2 and (tmp_path / "run" / "generator.json").is_file()
    resumed = cell()  # the same cell, run again
    gan_utils.set_seed(0)
    straight = gan_utils.build_gan(gan_utils.get_recipe("dcgan", width=8, latent_dim=8), seed=0)
    gan_utils.fit_gan(straight, x, epochs=2, batch_size=32, seed=0, verbose=0)
    for a, b in zip(resumed.generator.get_weights(), straight.generator.get_weights()):
        assert np.array_equal(a, b)


def test_load_generator_on_a_run_with_a_checkpoint_only_gives_the_command_that_writes_it(tmp_path):
    from gan_utils.checkpoints import save_checkpoint

    save_checkpoint(gan_utils.build_gan(gan_utils.get_recipe("dcgan", width=8, latent_dim=8)), tmp_path / "run", 1)
    with pytest.raises(FileNotFoundError, match=f"a checkpoint: continue its run, which writes it, with "
                       f"python -m gan_utils.train --resume --output {tmp_path / 'run'}"):
        gan_utils.load_generator(tmp_path / "run")
