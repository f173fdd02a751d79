#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds Wrenn guest images from Debian packages, with envd as PID 1.
#
#   images/build.sh [--force] [kernel | initramfs | <template>... | all]
#
# Outputs (images/build/, gitignored):
#   kernel/vmlinuz, kernel/modules/, kernel/kernel.json   Debian cloud kernel for QEMU microvm
#   initramfs.cpio.gz                                      busybox + virtio modules + /init
#   <template>/rootfs.ext4, <template>/template.json       one per images/templates/<template>/
# Each output is keyed by a hash of its recipe and inputs; an unchanged one is
# reported as "cached" and not rebuilt. --force rebuilds (the debootstrap base
# stays cached unless FORCE_BASE=1). Needs root (debootstrap, chroot, mknod).
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$IMAGES_DIR")
BUILD_DIR=${WRENN_IMAGES_BUILD_DIR:-$IMAGES_DIR/build}
CACHE_DIR=$BUILD_DIR/cache
export LC_ALL=C.UTF-8
# shellcheck source=lib/common.sh
. "$IMAGES_DIR/lib/common.sh"
# shellcheck source=lib/kernel.sh
. "$IMAGES_DIR/lib/kernel.sh"
# shellcheck source=lib/base.sh
. "$IMAGES_DIR/lib/base.sh"
# shellcheck source=lib/rootfs.sh
. "$IMAGES_DIR/lib/rootfs.sh"

FORCE=
if [[ ${1:-} == --force ]]; then FORCE=1; shift; fi
[[ $(id -u) == 0 ]] || die "run as root (debootstrap, chroot and mknod need it)"
for tool in jq dpkg-deb apt-get debootstrap mkfs.ext4 cpio modinfo unshare npm; do
  command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup-deps.sh"
done
mkdir -p "$CACHE_DIR"

targets=("$@")
((${#targets[@]})) || targets=(all)
if [[ ${targets[*]} == all ]]; then
  targets=(kernel initramfs)
  for d in "$IMAGES_DIR"/templates/*/template.json; do targets+=("$(basename "$(dirname "$d")")"); done
fi
for t in "${targets[@]}"; do
  case $t in
    kernel) build_kernel ;;
    initramfs) [[ -f $BUILD_DIR/kernel/key ]] || build_kernel; build_initramfs ;;
    *) build_template "$t" ;;
  esac
done
log "done: ${targets[*]}"
