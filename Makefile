# The README's two commands are `make demo` and `make test`; both set up first.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# The emulator binary the client tests and the demo talk to.
export EMULATOR := $(TARGET_DIR)/debug/events-emulator
DEMO_ADDR ?= 127.0.0.1:8787

.PHONY: help setup test test-native test-wasm test-wasm-node test-wasm-browser emulator pack demo bench

help:
	@echo "make demo   set up, build, start the emulator with the demo page, print its URL"
	@echo "make test   set up and run every test"
	@echo "make pack   build the npm package genomcore-events-wasm-<version>.tgz"
	@echo "make bench  benchmarks (not tests)"

setup:
	@scripts/setup.sh

emulator:
	cargo build -p events-emulator

# Native: the client's pure core and the emulator's HTTP integration tests.
test-native:
	cargo test --workspace

# The client compiled to wasm, in Node and in headless Chromium, against a real emulator.
test-wasm-node: emulator
	scripts/with-emulator.sh -- wasm-pack test --node --mode no-install -- --test node

test-wasm-browser: emulator
	scripts/with-emulator.sh -- wasm-pack test --headless --chrome --mode no-install -- --test browser

test-wasm: test-wasm-node test-wasm-browser

test: setup
	$(MAKE) test-native
	$(MAKE) test-wasm
	@echo "make test: all suites passed"
