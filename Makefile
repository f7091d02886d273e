# elixir-cluster: the two everyday commands are `make test` and `make preview`.
# Both build the virtualenv (.venv, the one Pulumi.yaml names) when it is missing.
# `make preview` prints the preview alone on stdout (`make preview FORMAT=json > f.json` is JSON):
# its command is not echoed, and what building the virtualenv says goes to stderr.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STACK  ?= dev
FORMAT ?= table
STACKS ?= dev prod
JOBS   ?= 2
# The labs' working folders (instances' roots, logs), their own: pytest's numbered folders under
# /tmp/pytest-of-<user> are pruned by any other pytest run of the same user, even mid-lab.
LAB_TMP ?= /tmp/elixir-cluster-labs

.PHONY: install test walkthroughs conformance node-lab autoscale-lab preview lint schema clean

MAKEFLAGS += --no-print-directory

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@echo "creating $(VENV) from requirements-dev.txt" >&2
	@$(PYTHON) -m venv $(VENV) >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt >&2
	@touch $@

install: $(VENV)/.installed ## the virtualenv with runtime and test dependencies

# Bytecode caches as Python writes them by default, even where the environment turns them off:
# both workers and every `python -m tools.X` a test starts would compile the project again.
test: install ## the offline suite: no AWS account, no Pulumi CLI, no network; JOBS workers (default 2)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(JOBS) --dist loadgroup

walkthroughs: install ## README's walkthroughs that need real processes (--serve with verify and the aws CLI, make preview), pasted into bash
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -m walkthrough tests/test_readme.py

conformance: install ## proof on real Erlang/OTP, HAProxy and iptables for STACKS (default "dev prod"); needs root
	mkdir -p $(LAB_TMP)
	CONFORMANCE_STACKS="$(STACKS)" $(PY) -m pytest -m conformance --basetemp=$(LAB_TMP)/conformance tests/conformance

node-lab: install ## instances in namespaces boot the rendered user data with a real Elixir release on PostgreSQL, and roll a release across them; each lab in a process of its own, side by side; needs root
	mkdir -p $(LAB_TMP)
	$(PY) -m tests.support.node_lab_shards $(LAB_TMP)/node-lab -m node_lab tests/node_lab

autoscale-lab: install ## dev and prod under a stepped load: their policies run live on the nodes' metrics, nodes launched and drained, the run replayed by the simulator; needs root
	mkdir -p $(LAB_TMP)
	$(PY) -m pytest -m autoscale_lab --basetemp=$(LAB_TMP)/autoscale tests/autoscale_lab

preview: install ## what STACK (default dev) would create, applied to an emulated AWS; FORMAT table, json or mermaid
	@$(PY) -m tools.preview --stack $(STACK) --format $(FORMAT)

lint: install ## style, and the generated schema and reference docs up to date
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m tools.schema --check

schema: install ## regenerate stacks/schema.json and docs/configuration.md from the settings
	$(PY) -m tools.schema

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
