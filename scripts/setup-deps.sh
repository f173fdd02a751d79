#!/usr/bin/env bash
# Installs the Debian packages Wrenn's build and tests need (idempotent; root or sudo).
set -euo pipefail
PKGS=(file ca-certificates git make gcc python3 python3-venv)
# guest images (make images) and QEMU microvm boots
PKGS+=(qemu-system-x86 debootstrap busybox-static cpio e2fsprogs zstd xz-utils iproute2 kmod curl jq)
# host agent: socat forwards envd TCP from a sandbox netns to a unix socket
PKGS+=(socat)
# host agent networking: nftables for per-sandbox NAT, isolation and egress policy
PKGS+=(nftables)
# host agent disks: xfsprogs lets the reflink clone test run on a loop-mounted XFS
PKGS+=(xfsprogs)
# control plane tests: a throwaway Postgres 15 cluster (initdb/pg_ctl) and redis-server on loopback
PKGS+=(postgresql-15 redis-server)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
# make images resolves kernel and package versions with apt-cache, so package lists must exist.
if ((${#missing[@]})) || ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
  $SUDO apt-get update -qq
fi
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v go >/dev/null || { echo "Go 1.24+ is required (https://go.dev/dl)"; exit 1; }
command -v node >/dev/null || { echo "Node.js 20.18+ is required"; exit 1; }
