# Two commands do all the set-up on a fresh machine:
#   make demo   runs the demo workflow end to end
#   make test   runs the test suite
# Both install what they need first (ffmpeg, redis-server and chromium from Debian's
# packages, the Python packages into .venv). Set PYTHON to choose the interpreter (3.11+).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-essay demo-batch test setup system-deps schemas bench clean

demo: setup
	$(BIN)/python examples/demo.py video

demo-essay: setup
	$(BIN)/python examples/demo.py essay

demo-batch: setup  # 6 short videos as a batch on the local executor, then batch verify
	$(BIN)/python examples/batch_demo.py 6

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup
	$(BIN)/runner contracts validate
	$(BIN)/runner verify

setup: system-deps $(STAMP)

system-deps:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null && command -v git >/dev/null \
	  && command -v redis-server >/dev/null && command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    ffmpeg git redis-server chromium </dev/null; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# compat: a plain path in a .pth file. The default editable install imports a finder
	@# in every Python start-up of the venv (about 20 ms of each `runner` command here);
	@# setuptools' banner about that mode (kept by the <85 pin in pyproject.toml) is muted.
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install -q -e '.[media,batch,console,test]' --config-settings editable_mode=compat
	touch $(STAMP)

schemas: setup
	$(BIN)/python -m runner.schemas

bench: setup
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
