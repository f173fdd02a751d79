#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/..
# Builds an uncompressed vmlinux for Firecracker from Debian's linux-source:
# `make tinyconfig`, then the fragment images/kernel/firecracker.config
# (virtio-mmio + VIRTIO_MMIO_CMDLINE_DEVICES + virtio blk/net/vsock built in).
#
#   images/kernel/build-firecracker.sh [--config-only]
#
# --config-only stops after `make olddefconfig` and the check that every "=y"
# of the fragment survived (about 1-2 min, most of it unpacking the source).
# The full build takes roughly 15-25 min on 2 cores (not part of CI).
# Output: images/build/firecracker/vmlinux, config, kernel.json. Needs root
# only to install missing build packages (flex, bison, bc, libelf-dev, ...).
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${WRENN_IMAGES_BUILD_DIR:-$IMAGES_DIR/build}
CACHE_DIR=$BUILD_DIR/cache
OUT=$BUILD_DIR/firecracker
FRAGMENT=$IMAGES_DIR/kernel/firecracker.config
# shellcheck source=lib/common.sh
. "$IMAGES_DIR/lib/common.sh"

CONFIG_ONLY=
[[ ${1:-} == --config-only ]] && CONFIG_ONLY=1

need=(make gcc flex bison bc libelf-dev libssl-dev xz-utils)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  log "installing build packages: ${missing[*]}"
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pkg=$(apt-cache depends linux-source 2>/dev/null | awk '/Depends: linux-source-[0-9]/{print $2; exit}')
[[ -n $pkg ]] || die "cannot resolve linux-source (run apt-get update)"
ver=$(deb_version "$pkg")
src=$CACHE_DIR/$pkg-$ver
if [[ ! -f $src/.unpacked ]]; then
  deb=$(fetch_deb "$pkg")
  rm -rf "$CACHE_DIR/$pkg-"*; mkdir -p "$src"
  log "unpacking $pkg $ver"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards "./usr/src/$pkg.tar.xz" | tar -xJ -C "$src" --strip-components=1
  touch "$src/.unpacked"
fi

log "config: tinyconfig + $(basename "$FRAGMENT")"
make -s -C "$src" ARCH=x86_64 tinyconfig >/dev/null
(cd "$src" && KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -O . .config "$FRAGMENT" >/dev/null)
make -s -C "$src" ARCH=x86_64 olddefconfig >/dev/null
lost=()
while read -r sym; do
  grep -qx "$sym=y" "$src/.config" || lost+=("$sym")
done < <(grep -oE '^CONFIG_[A-Z0-9_]+=y' "$FRAGMENT" | cut -d= -f1)
for sym in CONFIG_PCI CONFIG_MODULES; do grep -qx "$sym=y" "$src/.config" && lost+=("$sym (must be off)"); done
((${#lost[@]} == 0)) || die "olddefconfig dropped or changed: ${lost[*]} (a dependency is missing from the fragment)"
log "config: all $(grep -cE '^CONFIG_[A-Z0-9_]+=y' "$FRAGMENT") required symbols are =y"
mkdir -p "$OUT"; cp "$src/.config" "$OUT/config"
[[ -n $CONFIG_ONLY ]] && { log "config only: $OUT/config"; exit 0; }

t0=$SECONDS
log "building vmlinux with $(nproc) jobs (expect 15-25 min on 2 cores)"
make -s -C "$src" ARCH=x86_64 -j"$(nproc)" vmlinux
cp "$src/vmlinux" "$OUT/vmlinux"
jq -n --arg pkg "$pkg" --arg ver "$ver" --argjson secs $((SECONDS - t0)) \
  '{source: $pkg, version: $ver, buildSeconds: $secs,
    cmdline: "console=ttyS0 reboot=k panic=1 root=/dev/vda rw init=/usr/local/bin/envd"}' >"$OUT/kernel.json"
log "vmlinux: $(human "$(stat -c %s "$OUT/vmlinux")") in $((SECONDS - t0))s -> $OUT/vmlinux"
