# The two commands of the README's Quick start:
#   make all    create the environment, execute every notebook, export its figures and an HTML copy
#   make test   create the environment, run the unit tests and every notebook (smoke size) with nbmake
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HTML   := build/html

.PHONY: all setup test notebooks clean

all: notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

notebooks: setup
	mkdir -p $(HTML)
	cd notebooks && ../$(BIN)/jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=-1 \
		--ExecutePreprocessor.store_widget_state=False \
		--output-dir ../$(HTML) *.ipynb
	@echo "HTML renderings in $(HTML)/, figures in files/"

test: setup
	GAN_UTILS_SMOKE=1 $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build
