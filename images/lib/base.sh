# shellcheck shell=bash
# The Debian base every "base": "debian" template starts from: debootstrap
# minbase of one suite, cached by suite, mirror, apt lists state and this file,
# so templates share it and editing a template does not re-run debootstrap.

DEBIAN_VARIANT=minbase

# Key of the base of a suite: its recipe and the mirror state it comes from.
debian_base_key() {
  printf '%s\n' "$1" "$(debian_mirror)" "$DEBIAN_VARIANT" "$(apt_lists_stamp)" \
    "$(hash_paths "$IMAGES_DIR/lib/base.sh")" | sha | cut -c1-16
}

# Debootstrap base shared by every template with the same suite; prints its dir.
debian_base() {
  local suite=$1 mirror dir
  mirror=$(debian_mirror)
  dir=$CACHE_DIR/base/$suite-$(debian_base_key "$suite")
  if [[ -f $dir.done && -z ${FORCE_BASE:-} ]]; then
    log "base $suite: cached ($dir)"; echo "$dir"; return 0
  fi
  local t0=$SECONDS
  rm -rf "$CACHE_DIR/base/$suite-"*; mkdir -p "$CACHE_DIR/base" # older bases of this suite
  log "base $suite: debootstrap --variant=$DEBIAN_VARIANT from $mirror (1-3 min)"
  debootstrap --variant="$DEBIAN_VARIANT" "$suite" "$dir" "$mirror" >"$dir.log" 2>&1 ||
    die "debootstrap failed; see $dir.log"
  # no docs/man/locales in templates; apt sources that include security updates
  cat >"$dir/etc/dpkg/dpkg.cfg.d/01-wrenn-nodoc" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  find "$dir/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
  rm -rf "$dir"/usr/share/{man,info}/* "$dir/etc/apt/sources.list"
  find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  chroot "$dir" apt-get clean
  touch "$dir.done"
  log "base $suite: $(du -sh "$dir" | cut -f1) in $((SECONDS - t0))s"
  echo "$dir"
}
