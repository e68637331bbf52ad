# Two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
LOCALES := ru ky
CATALOGS := $(foreach l,$(LOCALES),translations/$(l)/LC_MESSAGES/messages.mo) \
            translations/ky/LC_MESSAGES/wtforms.mo
# Local development over plain HTTP: cookies cannot be Secure there.
DEV_ENV := APP_ENV=development SESSION_COOKIE_SECURE=0

.PHONY: run test install translations lint format extract-messages update-messages e2e clean vnu

run: install translations
	$(DEV_ENV) $(FLASK) db upgrade
	@$(DEV_ENV) $(FLASK) seed-demo
	@echo
	@echo "Open http://127.0.0.1:5000 and sign in with one of the demo accounts above"
	@echo "(admin@npm.example, supervisor@npm.example, monitor1@npm.example, monitor2@npm.example)."
	@echo "The password was printed when they were created; set your own with"
	@echo "DEMO_PASSWORD=... on a fresh instance/, or: $(FLASK) create-user EMAIL --role ROLE"
	@echo
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

test: install translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy visits

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(STAMP)

# The Nu HTML checker for tests/e2e/test_every_page.py (needs Java to run).
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VNU_JAR)

$(VNU_JAR):
	mkdir -p $(VENV)/vnu
	npm install --prefix $(VENV)/vnu --no-audit --no-fund --silent vnu-jar@$(VNU_VERSION)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -f -D messages -d translations -l $*

translations/ky/LC_MESSAGES/wtforms.mo: translations/ky/LC_MESSAGES/wtforms.po $(STAMP)
	$(BIN)/pybabel compile -f -D wtforms -d translations -l ky

# After changing strings: extract, update the catalogs, translate, compile.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file \
	  --project npm-visits --copyright-holder "NPM visits contributors" \
	  -o translations/messages.pot .

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find translations -name '*.mo' -delete
