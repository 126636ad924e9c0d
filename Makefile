# The commands of the README's Quick start and its "Tested versions":
#   make all          create the environment, execute every notebook, export its figures and an HTML copy
#   make test         create the environment, run the tests (they execute every notebook at smoke size)
#   make test-colab   the notebooks in a mirror of Google Colab's runtime, installed by their setup cell
#   make test-oldest  the tests on the oldest versions pyproject.toml declares
#   make stats        per notebook: words of main text, code lines, last measured full-size time
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HTML   := build/html

.PHONY: all setup test test-colab test-oldest notebooks stats clean

all: notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

notebooks: setup
	$(BIN)/python scripts/render_notebooks.py --output-dir $(HTML)
	$(BIN)/python scripts/lesson_stats.py
	@echo "HTML renderings in $(HTML)/, figures in files/, full-size times in notebooks/timings.json"

test: setup
	GAN_UTILS_SMOKE=1 $(BIN)/python -m pytest

stats:
	$(PYTHON) scripts/lesson_stats.py

test-colab:
	.ci/colab

test-oldest:
	.ci/oldest

clean:
	rm -rf $(VENV) build
