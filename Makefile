# The README's two commands are `make demo` and `make test`; both set up first.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
# cargo-installed tools (wasm-pack, wasm-bindgen, geckodriver) live in $CARGO_HOME/bin.
export PATH := $(CURDIR)/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
# The emulator binary the client tests and the demo talk to.
export EMULATOR := $(TARGET_DIR)/debug/events-emulator
DEMO_ADDR ?= 127.0.0.1:8787

.PHONY: help setup size-profile test test-build test-native test-wasm test-wasm-node test-wasm-browser test-wasm-firefox test-wasm-webkit test-package test-runtimes test-cli test-demo test-bench emulator pack demo bench
.PHONY: test-reliability test-reliability-rust test-reliability-node soak test-api-fuzz
.PHONY: contract-check smoke test-contract

help:
	@echo "make demo   set up, build, start the emulator with the demo page, print its URL"
	@echo "make test   set up and run every test"
	@echo "make pack   build the npm package genomcore-events-wasm-<version>.tgz"
	@echo "make bench  benchmarks (not tests)"
	@echo "make size-profile  where the wasm's bytes are"
	@echo "make contract-check URL=dev   compare the service's OpenAPI document with the contract"
	@echo "make smoke ENV=dev            the package against a real environment (GENOMCORE_TOKEN)"

setup:
	@scripts/setup.sh

emulator:
	cargo build -p events-emulator

# Native: the client's pure core and the emulator's HTTP integration tests; first, that
# the repository stands alone (scripts/check-self-contained.sh).
test-native:
	scripts/check-self-contained.sh
	cargo test --workspace

# The emulator's HTTP API fuzzed from its own OpenAPI document (Schemathesis, every check
# on, fixed seed; scripts/api-fuzz/run.sh): no 5xx, answers as documented, schema-valid
# requests accepted and schema-invalid ones refused. About 1 minute here.
test-api-fuzz: emulator
	scripts/with-emulator.sh -- scripts/api-fuzz/run.sh

# The client compiled to wasm, in Node and in headless Chromium, against a real emulator.
# A 1 MB body limit lets the suite provoke a 413 (see tests/suite).
WASM_TEST_EMULATOR_FLAGS := --max-body-bytes 1000000

test-wasm-node: emulator
	scripts/with-emulator.sh $(WASM_TEST_EMULATOR_FLAGS) -- wasm-pack test --node --mode no-install -- --test node --features std

test-wasm-browser: emulator
	scripts/with-emulator.sh $(WASM_TEST_EMULATOR_FLAGS) -- wasm-pack test --headless --chrome --mode no-install -- --test browser --features std

# The same browser suite in Firefox ESR (Debian's), through geckodriver (crates.io)...
test-wasm-firefox: emulator
	scripts/with-emulator.sh $(WASM_TEST_EMULATOR_FLAGS) -- wasm-pack test --headless --firefox --mode no-install -- --test browser --features std

# ... and in WebKitGTK: wasm-bindgen's runner drives Debian's WebKitWebDriver as it would
# safaridriver (SAFARIDRIVER); its MiniBrowser needs a display, so under Xvfb.
test-wasm-webkit: emulator
	scripts/with-emulator.sh $(WASM_TEST_EMULATOR_FLAGS) -- xvfb-run -a env \
	  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  SAFARIDRIVER=$$(command -v WebKitWebDriver) WASM_BINDGEN_TEST_ONLY_WEB=1 \
	  cargo test --target wasm32-unknown-unknown --test browser --features std

test-wasm: test-wasm-node test-wasm-browser test-wasm-firefox test-wasm-webkit

# The npm package: one wasm build (wasm-pack --target web, wasm-opt -Oz) plus the nodejs
# glue, assembled with pkg-template/ in dist/package/, packed to
# genomcore-events-wasm-<version>.tgz (version: Cargo.toml); prints the sizes.
pack:
	scripts/pack.sh

# What the wasm's bytes are: sections, largest functions, bytes per crate (README "Size").
size-profile:
	scripts/size-profile.sh

# The packed tarball, installed into a fresh temporary project: Node import/require,
# a plain module page, a Vite build, Web Workers (Chromium) and tsc, against an emulator;
# createEvents from every byte source a page has, in Chromium (tests/package/streams.test.mjs).
test-package: pack emulator
	tests/package/run.sh

# The packed tarball in the other runtimes users deploy to (tests/runtimes/): Node 22,
# Deno 2, Bun, Cloudflare workerd (Miniflare), Firefox ESR and WebKitGTK (WebDriver),
# pages built by webpack, esbuild and Rollup, the /slim entry; same project and
# emulator setup as test-package.
test-runtimes: pack emulator
	tests/package/run.sh tests/runtimes/*.test.mjs

# The command line `genomcore-events` (tests/cli/): the package's bin as npm installed
# it from the tarball (same project setup as test-package), run as a child process
# against its own emulators: every command's output and exit code, Ctrl-C and kill -9
# mid-upload then the same command again, a pseudo-terminal (util-linux `script`).
test-cli: pack emulator
	tests/package/run.sh tests/cli/*.test.mjs

# The demo page (www/) end to end in Debian's Chromium, against an emulator serving the
# staged page; screenshots of every step in test-output/demo/. One file at a time: they
# share the emulator's fault plan.
test-demo: pack emulator
	scripts/demo.sh stage
	rm -rf test-output/demo
	scripts/with-emulator.sh --static dist/demo -- node --test --test-concurrency=1 tests/demo/*.test.mjs

# The build's own scripts on small modules made by the tests (seconds): the function
# table's pruning and the panic entry points made to trap at once, before wasm-opt
# (scripts/prune-wasm-table.mjs, trap-panics.mjs: docs/size.md steps 50 and 63), and the
# dead data's zeroing after it (scripts/zero-dead-data.mjs).
test-build:
	node --test tests/build/*.test.mjs

# The benchmarks' published side, without running any benchmark (seconds): every figure
# in the READMEs and bench/results.md is what the committed bench/results.json generates
# (bench/check-readme.mjs), and the plain-JS validator baseline finds the same invalid
# events and fields as the client (needs dist/package: make pack, which test-package ran).
test-bench:
	node bench/check-readme.mjs
	node --test bench/plain-validate.test.mjs

# Reliability and security (tests/reliability/README.md). Rust: the client's and the
# emulator's validators and date parsers agree (proptest), every route's token check,
# hostile HTTP input; these also run in test-native. Node: the client (wasm-pack
# --target nodejs, with the face's CommonJS build) against real emulator processes with injected faults, kill -9,
# expiring tokens, bad input and token-leak searches; figures in
# test-output/reliability/figures.jsonl.
RELIABILITY_PKG := $(TARGET_DIR)/reliability-pkg

test-reliability: test-reliability-rust test-reliability-node

test-reliability-rust:
	cargo test -p events-emulator --test agreement --test route_auth --test hostile

test-reliability-node: emulator
	wasm-pack build --target nodejs --release --mode no-install --no-pack --out-dir $(RELIABILITY_PKG)
	node scripts/build-face.mjs --format cjs --glue $(RELIABILITY_PKG) --out $(RELIABILITY_PKG)
	rm -f test-output/reliability/figures.jsonl
	RELIABILITY_PKG=$(RELIABILITY_PKG)/api.js node --test --test-concurrency=1 tests/reliability/*.test.mjs

# Not part of `make test`: the fault run with 1000000 events, 3 rounds with fresh seeds
# (SOAK_EVENTS, SOAK_ROUNDS, SOAK_SEED); about 2 minutes a round here.
soak: emulator
	wasm-pack build --target nodejs --release --mode no-install --no-pack --out-dir $(RELIABILITY_PKG)
	node scripts/build-face.mjs --format cjs --glue $(RELIABILITY_PKG) --out $(RELIABILITY_PKG)
	RELIABILITY_PKG=$(RELIABILITY_PKG)/api.js node --test --test-concurrency=1 tests/reliability/soak/*.test.mjs

# The demo: www/ and the package staged in dist/demo/, served with the API by the emulator
# on DEMO_ADDR (data in dist/demo-events.sqlite); prints the URL, runs until Ctrl-C.
demo: setup
	@$(MAKE) --no-print-directory pack emulator
	@DEMO_ADDR=$(DEMO_ADDR) scripts/demo.sh serve

test: setup
	$(MAKE) test-native
	$(MAKE) test-build
	$(MAKE) test-api-fuzz
	$(MAKE) test-wasm
	$(MAKE) test-package test-runtimes test-cli  # one invocation: the package is packed once
	$(MAKE) test-demo
	$(MAKE) test-bench
	$(MAKE) test-reliability-node  # its Rust half ran in test-native
	$(MAKE) test-contract
	@echo "make test: all suites passed"

# Against the real service (README, "Against the real service"). contract-check compares
# an OpenAPI document (URL=…/api/docs-json, a file, or dev|prod; AUTH_URL=… for the auth
# service's) with core/src/contract.rs, core/src/retry.rs and the emulator's document;
# exit 1 when a difference would break the client. Needs no build.
contract-check:
	@node scripts/contract-check.mjs $(if $(JSON),--json)

# The built package against a real environment: GENOMCORE_TOKEN=… ENV=dev make smoke
# (or BASE_URL=…; GENOMCORE_REFRESH_TOKEN, AUTH_URL optional; prod only with YES_PROD=1).
# Builds the package first when dist/package/ has none.
smoke:
	@[ -f dist/package/node/index.cjs ] || $(MAKE) --no-print-directory pack
	@node scripts/smoke.mjs $(if $(filter 1 yes true,$(YES_PROD)),--yes-prod)

# Offline tests of contract-check (the emulator's document, altered copies) and of smoke,
# against a fresh emulator (scripts/with-emulator.sh), with the package in dist/package/
# (built by `make pack` when missing; `make test` has just built it).
test-contract: emulator
	@[ -f dist/package/node/index.cjs ] || $(MAKE) --no-print-directory pack
	scripts/with-emulator.sh -- node --test --test-reporter=spec tests/contract/*.test.mjs

# Benchmarks, not tests (nothing fails on a slow machine): the package, the emulator at
# release speed and the bench builds (bench/build.sh; BENCH_VARIANTS=0 skips the
# opt-level 3/"s" ones), then every benchmark in bench/; writes and prints
# bench/results.md. 3 to 5 minutes here; BENCH_QUICK=1 for a short smoke run.
bench: setup
	$(MAKE) --no-print-directory pack
	cargo build -p events-emulator --profile emulator
	bench/build.sh
	node bench/run.mjs
