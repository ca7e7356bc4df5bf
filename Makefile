# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test fuzz venv pep8 genconfig genpolicy clean

# uv installs the same packages as pip several times faster; the
# constraints file pins the versions CI runs with. Without uv, pip does it.
$(STAMP): setup.cfg requirements.txt test-requirements.txt tools/constraints.txt
	test -x $(VPY) || $(PYTHON) -m venv --without-pip $(VENV)
	if $(PYTHON) -m pip --python $(VPY) install -q uv; then \
	    $(VENV)/bin/uv pip install -q --python $(VPY) -c tools/constraints.txt \
	        -r requirements.txt -r test-requirements.txt -e . ; \
	else \
	    $(VPY) -m ensurepip --upgrade && \
	    $(VPY) -m pip install -q -c tools/constraints.txt \
	        -r requirements.txt -r test-requirements.txt -e . ; \
	fi
	# Byte-compile once: with PYTHONDONTWRITEBYTECODE set (as on CI
	# machines) every process would otherwise compile every module it
	# imports, a second or more per process start.
	$(VPY) -m compileall -q -j 0 $(VENV)/lib cloudkitty > /dev/null || true
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VPY) tools/run_embedded.py

test: $(STAMP)
	$(VPY) -m pytest -ra $(PYTEST_ARGS)

# The API fuzz suite's long profile (CI runs a bounded one with `make
# test`): FUZZ_EXAMPLES examples per test, on SQLite, MariaDB and
# PostgreSQL (those two are skipped when absent), in-process and under
# gunicorn. The figures of each run are appended to FUZZ_REPORT.
FUZZ_EXAMPLES ?= 1500
FUZZ_REPORT ?= fuzz-report.txt
fuzz: $(STAMP)
	CK_FUZZ_PROFILE=long CK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	CK_FUZZ_REPORT=$(FUZZ_REPORT) \
	    $(VPY) -m pytest -ra -s --timeout 0 cloudkitty/tests/api/fuzz \
	    $(PYTEST_ARGS)

pep8: $(STAMP)
	$(VENV)/bin/flake8 cloudkitty tools

genconfig: $(STAMP)
	$(VENV)/bin/oslo-config-generator --config-file etc/oslo-config-generator/cloudkitty.conf

genpolicy: $(STAMP)
	$(VENV)/bin/oslopolicy-sample-generator --config-file etc/oslo-policy-generator/cloudkitty.conf

clean:
	rm -rf $(VENV) run-data
