# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv pep8 genconfig genpolicy clean

$(STAMP): setup.cfg requirements.txt test-requirements.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements.txt -r test-requirements.txt
	$(VPY) -m pip install -q -e .
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VPY) tools/run_embedded.py

test: $(STAMP)
	$(VPY) -m pytest -ra $(PYTEST_ARGS)

pep8: $(STAMP)
	$(VENV)/bin/flake8 cloudkitty tools

genconfig: $(STAMP)
	$(VENV)/bin/oslo-config-generator --config-file etc/oslo-config-generator/cloudkitty.conf

genpolicy: $(STAMP)
	$(VENV)/bin/oslopolicy-sample-generator --config-file etc/oslo-policy-generator/cloudkitty.conf

clean:
	rm -rf $(VENV) run-data
