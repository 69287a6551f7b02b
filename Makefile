# Hotline: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PostgreSQL for the second test run (trust auth on the machine's local server).
HOTLINE_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/hotline_test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Browser tests drive Debian's chromium (/usr/bin/chromium): Playwright must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: messages demo test test-sqlite test-postgres lint bench system-deps catalogs fonts voice-sdk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Every gettext domain present: messages (web UI), ivr and sms (caller-facing), including script variants such as
# prs-Latn that `pybabel compile` refuses as locale names. Fuzzy (unreviewed) entries are left out, and a catalogue
# that does not parse fails the build. Tests compile missing .mo files the same way (hotline.i18n).
catalogs: $(STAMP)
	$(BIN)/python -c "from hotline.i18n import compile_catalogues; from hotline.settings import LOCALES_DIR; \
	  print(len(compile_catalogues(LOCALES_DIR)), 'catalogues compiled')"

## make messages: extract the web UI's strings, update every catalogue, fill in hotline/locales/incoming/*.json translations
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -o hotline/locales/messages.pot --project=Hotline --no-location .
	$(BIN)/pybabel update -i hotline/locales/messages.pot -d hotline/locales -D messages --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python tools/apply_translations.py

## make fonts: refresh hotline/static/fonts/ from the pinned @fontsource npm packages (needs npm)
fonts:
	$(PYTHON) tools/refresh_fonts.py

## make voice-sdk: vendor Twilio's Voice JavaScript SDK (pinned version and integrity) into hotline/static/vendor/
voice-sdk:
	$(PYTHON) tools/vendor_voice_sdk.py

## make demo: serve Hotline on http://127.0.0.1:8000 from SQLite, seeded with demo data
demo: $(STAMP) catalogs
	@if command -v espeak-ng >/dev/null; then HOTLINE_MODE=demo $(BIN)/hotline ivr audio >/dev/null && echo "IVR stand-in prompts built with espeak-ng"; \
	 else echo "espeak-ng is not installed (make system-deps): the IVR offers only languages with a Twilio voice or a recording"; fi
	$(BIN)/hotline demo

## Debian packages the tests need: Chromium for browser tests, Noto fonts so every script renders,
## espeak-ng for the IVR's synthesised stand-in prompts (`hotline ivr audio`)
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/noto ] || [ ! -x /usr/bin/espeak-ng ] \
	    || ! ldconfig -p | grep -q 'libcairo\.so\.2'; then \
	  echo "installing chromium, fonts-noto-core, espeak-ng and libcairo2 from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-core espeak-ng libcairo2 >/dev/null; \
	fi

## make test: install what the tests need, then run the whole suite on SQLite and on PostgreSQL
test: system-deps $(STAMP) catalogs
	$(BIN)/ruff check hotline tests bench
	$(BIN)/lint-imports --no-cache
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	HOTLINE_TEST_DATABASE=sqlite $(BIN)/pytest -p no:cacheprovider

test-postgres: $(STAMP)
	HOTLINE_TEST_DATABASE=postgresql HOTLINE_TEST_POSTGRES_URL=$(HOTLINE_TEST_POSTGRES_URL) $(BIN)/pytest -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check hotline tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

bench: $(STAMP)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache
