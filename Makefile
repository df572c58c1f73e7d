# Two commands on a fresh machine: `make demo` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export REGIONAL_ECON_DATA ?= $(CURDIR)/data

# The demo window: September 2026 (Chuseok, the planted events of the 7th) at a small scale (0.05 = ~30,000 transactions a day).
DEMO_START ?= 2026-09-01
DEMO_DAYS ?= 30
DEMO_SCALE ?= 0.05
DEMO_SEED ?= 7
DEMO_DEFECT_RATE ?= 0

.PHONY: install demo test ui portal generate materialize summary bench clean

# Benchmarks (issue 6, DESIGN.md section 9): real-scale feeds generated once into
# $(REGIONAL_ECON_DATA)/bench/landing, the platform against a hand-written DuckDB baseline
# for 1, 7 and 31 days; results in BENCHMARKS.md. About 20 minutes on 2 cores;
# `make bench BENCH_ARGS="--windows 1,7"` for a shorter run.
BENCH_ARGS ?=
PORTAL_PORT ?= 8080

# Bytecode is compiled at install: where .pyc files cannot be written later (PYTHONDONTWRITEBYTECODE,
# read-only images) every process would otherwise compile dagster and matplotlib again.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The embedded instance, its storage created once (concurrent first runs would race on it).
$(DAGSTER_HOME)/dagster.yaml: | install
	$(BIN)/regional-econ-instance

# With defects injected some runs fail by design (blocking checks); the summary still prints.
demo: install $(DAGSTER_HOME)/dagster.yaml generate
	$(BIN)/regional-econ-run --start $(DEMO_START) --days $(DEMO_DAYS) || status=$$?; \
	$(BIN)/regional-econ summary && exit $${status:-0}

generate: install
	$(BIN)/regional-econ generate --out $(REGIONAL_ECON_DATA)/landing --start $(DEMO_START) --days $(DEMO_DAYS) \
		--scale $(DEMO_SCALE) --seed $(DEMO_SEED) --defect-rate $(DEMO_DEFECT_RATE)

materialize: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/regional-econ-run --start $(DEMO_START) --days $(DEMO_DAYS)

summary: install
	$(BIN)/regional-econ summary

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder

ui: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

portal: install
	$(BIN)/regional-econ portal --host 127.0.0.1 --port $(PORTAL_PORT)

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(REGIONAL_ECON_DATA) $(DAGSTER_HOME)
