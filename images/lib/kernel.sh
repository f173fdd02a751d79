# shellcheck shell=bash
# Kernel for QEMU microvm (Debian's cloud kernel) and the busybox initramfs that
# loads its virtio modules, mounts the rootfs and hands PID 1 to envd.

# virtio drivers are modules in the Debian cloud kernel; busybox insmod needs
# them uncompressed and in dependency order (virtio needs virtio_ring).
KERNEL_MODULES=(virtio_ring virtio virtio_mmio failover net_failover virtio_net virtio_blk
  rng_core virtio_rng vsock vmw_vsock_virtio_transport_common vmw_vsock_virtio_transport)
KERNEL_REQUIRED=(virtio_ring virtio virtio_mmio failover net_failover virtio_net virtio_blk)

# Prints the versioned package behind linux-image-cloud-amd64.
kernel_package() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'
}

# Builds $BUILD_DIR/kernel/{vmlinuz,modules/*.ko,modules.order,kernel.json}.
build_kernel() {
  local pkg ver out=$BUILD_DIR/kernel key
  pkg=$(kernel_package); [[ -n $pkg ]] || die "cannot resolve linux-image-cloud-amd64 (run apt-get update)"
  deb_versions_load "$pkg" busybox-static; ver=${DEB_VERSIONS[$pkg]:-}
  [[ -n $ver ]] || die "no version of $pkg in apt"
  key=$(printf '%s\n' "$pkg" "$ver" "${KERNEL_MODULES[*]}" "$(hash_paths "$IMAGES_DIR/lib/kernel.sh")" | sha)
  if [[ -z ${FORCE:-} && -f $out/key && $(<"$out/key") == "$key" && -f $out/vmlinuz ]]; then
    log "kernel: cached ($pkg $ver)"; return 0
  fi
  local t0=$SECONDS deb x
  deb=$(fetch_deb "$pkg")
  x=$CACHE_DIR/kpkg; rm -rf "$x" "$out"; mkdir -p "$x" "$out/modules"
  log "kernel: unpacking $pkg $ver"
  dpkg-deb -x "$deb" "$x"
  cp "$x"/boot/vmlinuz-* "$out/vmlinuz"
  local kver moddir m f dep pat
  kver=$(basename "$(echo "$x"/lib/modules/*)"); moddir=$x/lib/modules/$kver/kernel
  : >"$out/modules.order"
  for m in "${KERNEL_MODULES[@]}"; do
    pat=${m//_/[-_]} # file names may spell the module with dashes (virtio-rng.ko)
    f=$(find "$moddir" -name "$pat.ko" -o -name "$pat.ko.xz" -o -name "$pat.ko.zst" | head -1)
    if [[ -z $f ]]; then
      [[ " ${KERNEL_REQUIRED[*]} " == *" $m "* ]] && die "kernel: required module $m not in $pkg"
      continue # built in, or absent from this kernel
    fi
    case $f in
      *.ko.xz) xz -dc "$f" >"$out/modules/$m.ko" ;;
      *.ko.zst) zstd -dcq "$f" >"$out/modules/$m.ko" ;;
      *) cp "$f" "$out/modules/$m.ko" ;;
    esac
    # every dependency must be loaded earlier in the list (or be built in)
    for dep in $(modinfo -F depends "$out/modules/$m.ko" | tr ',' ' '); do
      grep -qx "${dep//-/_}" "$out/modules.order" || die "kernel: $m depends on $dep, which is not loaded before it"
    done
    echo "$m" >>"$out/modules.order"
  done
  jq -n --arg pkg "$pkg" --arg ver "$ver" --arg kver "$kver" --rawfile mods "$out/modules.order" \
    '{package:$pkg, version:$ver, release:$kver, modules:($mods|split("\n")|map(select(.!=""))),
      cmdline:"console=ttyS0 quiet panic=-1 reboot=t tsc_early_khz=<host TSC kHz> wrenn.ip=<guest>/30 wrenn.gw=<host>"}' \
    >"$out/kernel.json"
  rm -rf "$x"
  echo "$key" >"$out/key"
  log "kernel: $kver, $(wc -l <"$out/modules.order") modules, vmlinuz $(human "$(stat -c %s "$out/vmlinuz")") in $((SECONDS - t0))s"
}

# Builds $BUILD_DIR/initramfs.cpio.gz (busybox-static + modules + /init).
build_initramfs() {
  local out=$BUILD_DIR/initramfs.cpio.gz key bbver
  deb_versions_load busybox-static; bbver=${DEB_VERSIONS[busybox-static]:-}
  key=$(printf '%s\n' "$(<"$BUILD_DIR/kernel/key")" "$bbver" \
    "$(hash_paths "$IMAGES_DIR/initramfs" "$IMAGES_DIR/lib/kernel.sh")" | sha)
  if [[ -z ${FORCE:-} && -f $out.key && $(<"$out.key") == "$key" && -f $out ]]; then
    log "initramfs: cached"; return 0
  fi
  local t0=$SECONDS ir=$CACHE_DIR/initramfs bbdeb
  bbdeb=$(fetch_deb busybox-static)
  rm -rf "$ir"; mkdir -p "$ir"/{bin,dev,proc,sys,newroot,lib/modules}
  dpkg-deb --fsys-tarfile "$bbdeb" | tar -xO ./bin/busybox >"$ir/bin/busybox"
  chmod 755 "$ir/bin/busybox"
  mknod -m 600 "$ir/dev/console" c 5 1
  mknod -m 666 "$ir/dev/null" c 1 3
  cp "$BUILD_DIR"/kernel/modules/*.ko "$BUILD_DIR/kernel/modules.order" "$ir/lib/modules/"
  install -m 755 "$IMAGES_DIR/initramfs/init" "$ir/init"
  (cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9n) >"$out.tmp"
  mv "$out.tmp" "$out"; rm -rf "$ir"
  echo "$key" >"$out.key"
  log "initramfs: $(human "$(stat -c %s "$out")") in $((SECONDS - t0))s"
}
