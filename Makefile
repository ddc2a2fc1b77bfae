# Two set-up commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint golden bench bench-run bench-serve clean system-deps test-deps

# The main jobs on the sample: every brief (on-change), the Minister's note
# approved (it needs approval, like the backgrounder, which stays a draft:
# docs/approval.md), then the Minister's weekly email, which attaches the
# approved note (mail sends only approved editions: docs/mail.md). It mails
# only the minister note, so the backgrounder's draft goes nowhere. Its addresses are
# samples, so it never uses an SMTP server (BRIEFS_SMTP_HOST emptied): the
# messages are written to output/outbox/. The commands' own lists are
# dropped: ls lists each file once, built or not.
demo: system-deps $(STAMP)
	$(BIN)/briefs jobs run on-change >/dev/null
	$(BIN)/briefs approve human-trafficking --audience minister \
	  --by "Sample Assistant Deputy Minister (sample)" >/dev/null
	BRIEFS_SMTP_HOST= $(BIN)/briefs send minister-weekly >/dev/null
	@echo "The sample briefs (the Minister's note approved; the backgrounder a draft):"
	@ls -1 output/human-trafficking/*.pdf
	@echo "The Minister's weekly email, one per (sample) recipient, not sent:"
	@ls -1 output/outbox/*.eml

# test-deps: Debian's chromium, for tests/test_web_browser.py (briefs serve in a browser).
test: system-deps test-deps $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check briefs tests bench
	$(BIN)/ruff format --check briefs tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: system-deps $(STAMP)
	$(BIN)/python bench/bench_build.py

# briefs run kept busy by 500 saves: about 15 minutes (bench/bench_run.py --quick: 2).
bench-run: system-deps $(STAMP)
	$(BIN)/python bench/bench_run.py

# briefs serve under 32 concurrent clients: about 40 s (bench/bench_serve.py --quick: 25 s).
bench-serve: system-deps $(STAMP)
	$(BIN)/python bench/bench_serve.py

golden: $(STAMP)
	BRIEFS_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py
	git diff --stat tests/golden

system-deps:
	@scripts/system-deps

test-deps:
	@scripts/test-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) output/*/ .pytest_cache
