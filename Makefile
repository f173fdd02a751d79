# Wrenn Sandbox — developer entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

ENVD_SRC := $(shell find cmd/envd -name '*.go' -o -name go.mod -o -name go.sum)
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_CONNECT_GO_VERSION := v1.21.1

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

.PHONY: setup
setup: ## Install system packages, npm and Go dependencies, build binaries (fresh Debian machine)
	scripts/setup-deps.sh
	npm ci --no-audit --no-fund
	cd cmd/envd && go mod download
	$(MAKE) build-envd

bin/envd: $(ENVD_SRC)
	@mkdir -p bin
	cd cmd/envd && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o ../../bin/envd .

.PHONY: build-envd
build-envd: bin/envd ## Build the static guest agent to bin/envd
	@file bin/envd | grep -q 'statically linked' || { echo "bin/envd is not static"; exit 1; }
	@echo "bin/envd: static, $$(stat -c %s bin/envd) bytes ($$(du -h bin/envd | cut -f1))"

.PHONY: tools
tools: ## Install the protoc plugins for Go into .tools/bin
	GOBIN=$(CURDIR)/.tools/bin go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(CURDIR)/.tools/bin go install connectrpc.com/connect/cmd/protoc-gen-connect-go@$(PROTOC_GEN_CONNECT_GO_VERSION)

.PHONY: generate
generate: tools ## Regenerate protobuf code (TS and Go) from proto/
	buf generate --template buf.gen.ts.yaml
	buf generate --template buf.gen.envd.yaml

.PHONY: lint
lint: ## Biome, tsc, gofmt and go vet
	biome check .
	tsc -p tsconfig.json
	@test -z "$$(gofmt -l cmd)" || { gofmt -l cmd; echo "gofmt: files above need formatting"; exit 1; }
	cd cmd/envd && go vet ./...

.PHONY: dev-envd
dev-envd: build-envd ## Run envd on this host in debug mode (TCP 127.0.0.1:49983)
	bin/envd --listen 127.0.0.1:49983

.PHONY: test
test: lint test-go test-compat test-compat-python test-hostagent test-controlplane test-e2e-vm test-e2e-hostagent test-e2e-controlplane ## Run every test suite

.PHONY: test-go
test-go: ## Go unit tests of envd
	cd cmd/envd && go test -race -count=1 ./...

.PHONY: test-compat
test-compat: build-envd ## The official E2B SDK against envd in debug mode
	node --import tsx --test --test-concurrency=1 tests/compat/*.test.ts

PYVENV := .venv
$(PYVENV)/.installed: tests/compat/python/requirements.txt
	python3 -m venv $(PYVENV)
	$(PYVENV)/bin/pip install -q --disable-pip-version-check -r tests/compat/python/requirements.txt
	touch $@

.PHONY: test-compat-python
test-compat-python: build-envd $(PYVENV)/.installed ## The official E2B Python SDK against envd in debug mode
	$(PYVENV)/bin/pytest -q tests/compat/python

.PHONY: test-hostagent
test-hostagent: build-envd ## Host agent unit tests + Firecracker API contract tests (root: makes netns)
	node --import tsx --test --test-concurrency=1 $$(find src/hostagent -name '*.test.ts') tests/contract/*.test.ts

.PHONY: test-e2e-vm
test-e2e-vm: images ## Real QEMU microvm: boot, exec, files, snapshot/restore, language templates (root)
	node --import tsx --test --test-concurrency=1 tests/e2e/vm.test.ts tests/e2e/runtimes.test.ts

.PHONY: test-e2e-hostagent
test-e2e-hostagent: images ## Host agent with real QEMU sandboxes via hostagent.v1, incl. kill -9 recovery (root; needs make images)
	node --import tsx --test tests/e2e/hostagent.test.ts

.PHONY: dev-agent
dev-agent: build-envd ## Run the host agent on this machine (root; makes netns + NAT in the ROOT namespace)
	WRENN_AGENT_TOKEN=$${WRENN_AGENT_TOKEN:-dev-agent-token-change-me} WRENN_STATE_DIR=$${WRENN_STATE_DIR:-$(CURDIR)/.state/agent} \
	  node --import tsx src/hostagent/main.ts

.PHONY: bench-hostagent
bench-hostagent: build-envd ## Host agent: template-snapshot vs cold-boot create, concurrency, RSS, exec overhead (root; needs make images)
	node --expose-gc --import tsx bench/hostagent/main.ts

.PHONY: bench-vm
bench-vm: ## Cold boot vs snapshot restore under QEMU microvm (root; needs make images)
	node --import tsx bench/vm/main.ts

.PHONY: bench-envd
bench-envd: build-envd ## Benchmark envd (set REF_ENVD to compare with another envd binary)
	node --import tsx bench/envd/main.ts

# --- images ---
# Guest images (images/README.md). Outputs go to images/build/; unchanged recipes are cached.
IMAGE_TEMPLATES := $(notdir $(patsubst %/template.json,%,$(wildcard images/templates/*/template.json)))

.PHONY: images
images: build-envd ## Build the QEMU kernel, initramfs and every template image (root)
	images/build.sh all

.PHONY: image-minimal image-python311 image-node20
image-minimal: build-envd ## Build the minimal image (busybox + bash + envd)
	images/build.sh kernel initramfs minimal
image-python311: build-envd ## Build the python311 image (Debian bookworm + Python 3.11)
	images/build.sh kernel initramfs python311
image-node20: build-envd ## Build the node20 image (Debian bookworm + Node.js 20)
	images/build.sh kernel initramfs node20

.PHONY: kernel
kernel: ## Fetch the Debian cloud kernel for QEMU microvm and build the initramfs
	images/build.sh kernel initramfs

.PHONY: kernel-firecracker
kernel-firecracker: ## Build an uncompressed vmlinux for Firecracker from Debian's linux-source (slow)
	images/kernel/build-firecracker.sh

.PHONY: smoke-images
smoke-images: ## Boot each built image under QEMU microvm and check envd (root)
	images/smoke-test.sh $(IMAGE_TEMPLATES)

.PHONY: clean-images
clean-images: ## Remove images/build (kernel, images and caches)
	rm -rf images/build

# --- control plane data layer (Postgres migrations, data-layer tests) ---
# DATABASE_URL selects the database; when it is unset the embedded PGlite in .state/pglite is used.
MIGRATE := node --import tsx src/shared/db/migrate.ts

.PHONY: migrate-up migrate-down migrate-reset migrate-status migrate-create
migrate-up: ## Apply pending DB migrations (DATABASE_URL, or embedded .state/pglite when unset)
	$(MIGRATE) up
migrate-down: ## Revert the newest DB migration (one step)
	$(MIGRATE) down
migrate-reset: ## Revert every DB migration, then apply them all again
	$(MIGRATE) reset
migrate-status: ## List DB migrations and when each was applied
	$(MIGRATE) status
migrate-create: ## Create the next numbered migration file: make migrate-create name=add_widgets
	@test -n "$(name)" || { echo "usage: make migrate-create name=<snake_case_name>"; exit 2; }
	$(MIGRATE) create name=$(name)

.PHONY: test-controlplane
test-controlplane: build-envd ## Control-plane data layer, auth and rate-limit tests (throwaway Postgres 15 + Redis on loopback)
	node --import tsx src/shared/testing/services.ts -- node --import tsx --test \
		$$(find src/shared/db src/shared/id src/shared/models src/controlplane -name '*.test.ts' | sort)

# --- control plane (src/controlplane) ---
.PHONY: dev dev-seed controlplane test-e2e-controlplane bench-api
dev: build-envd image-minimal ## Single-node Wrenn: embedded Postgres, a host agent (QEMU, root netns), API on :8000 (root)
	node --import tsx src/controlplane/dev.ts
dev-seed: ## Migrate DATABASE_URL (or the embedded DB) and print a first API key as WRENN_API_KEY=…
	node --import tsx src/controlplane/dev.ts seed
controlplane: ## Run the control plane alone (config from the environment, see .env.example)
	node --import tsx src/controlplane/main.ts
test-e2e-controlplane: build-envd image-minimal ## REST API → control plane → host agent → QEMU VMs, on real Postgres 15 + Redis (root)
	node --experimental-websocket --import tsx --test --test-concurrency=1 tests/e2e/controlplane.test.ts
bench-api: build-envd image-minimal ## GET /v1/sandboxes/{id} req/s + p99, exec latency via the API vs the agent (root)
	node --import tsx bench/api/main.ts

.PHONY: test-api
test-api: build-envd ## REST API tests: real app + Postgres auth + Redis limiter, in-memory SandboxService double, official e2b SDK
	node --import tsx src/shared/testing/services.ts -- node --import tsx --test \
		$$(find src/controlplane/api -name '*.test.ts' | sort)
