# shellcheck shell=bash
# Template rootfs: a tree (busybox + unpacked .debs, or a cached debootstrap base
# plus apt packages), finished with accounts, files and envd, then packed into ext4.

# Prints the template's JSON after checking the fields the builder relies on.
template_json() {
  local f=$IMAGES_DIR/templates/$1/template.json
  [[ $1 =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "template name $1: use lower-case letters, digits, - and _"
  [[ -f $f ]] || die "template $1: no $f"
  jq -e '
    (.base == "busybox" or .base == "debian")
    and ((.diskSizeMiB | type) == "number")
    and ((.packages // []) | type) == "array"
    and ((.files // []) | all(.src and .dest and (.dest | startswith("/"))))
    and ((.npm // []) | all(.spec and .dest))
    and (((.run // []) | length) == 0 or .base == "debian")' "$f" >/dev/null ||
    die "template $1: invalid $f (need base busybox|debian, diskSizeMiB; files/npm need src|spec and dest; run needs base debian)"
  jq -c . "$f"
}

# Runs a shell script inside the tree with /proc and /dev mounted in a private
# mount namespace (the mounts vanish with it) and host name "sandbox". $3
# (optional) is a chroot --userspec: the script then runs as that user through
# `bash -l -c`, as the E2B SDK runs commands.
in_chroot() {
  local root=$1 script=$2 userspec=${3:-} home=/root shell=(/bin/sh -euc)
  if [[ -n $userspec ]]; then home=/home/user shell=(/bin/bash -l -c); fi
  # shellcheck disable=SC2016 # the inner script takes its values as arguments
  unshare --mount --uts --propagation private -- bash -euo pipefail -c '
    root=$1 userspec=$2 home=$3; shift 3
    hostname sandbox # as in /etc/hosts of the tree
    mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"
    exec chroot ${userspec:+--userspec=$userspec} "$root" /usr/bin/env -i \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" \
      DEBIAN_FRONTEND=noninteractive PYTHONDONTWRITEBYTECODE=1 "$@"' \
    _ "$root" "$userspec" "$home" "${shell[@]}" "$script"
}

# Debian template tree: base + apt packages + run steps.
tree_debian() {
  local name=$1 tpl=$2 root=$3 base pkgs run
  base=$(debian_base "$(jq -r '.suite // "bookworm"' <<<"$tpl")")
  log "$name: copying base"
  cp -a "$base/." "$root/"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
  pkgs=$(jq -r '(.packages // []) | join(" ")' <<<"$tpl")
  cp /etc/resolv.conf "$root/etc/resolv.conf" # apt needs DNS; tree_finish writes the guest's
  if [[ -n $pkgs ]]; then
    log "$name: apt-get install $pkgs"
    in_chroot "$root" "{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs; } >/tmp/apt.log 2>&1 ||
      { cat /tmp/apt.log; exit 1; }; rm -f /tmp/apt.log" ||
      die "$name: apt-get install failed"
  fi
  in_chroot "$root" 'id -u user >/dev/null 2>&1 || useradd -m -u 1000 -U -s /bin/bash user
    getent group sudo >/dev/null && usermod -aG sudo user; chsh -s /bin/bash root'
  run=$(jq -r '(.run // []) | join("\n")' <<<"$tpl")
  if [[ -n $run ]]; then
    log "$name: run steps"
    in_chroot "$root" "$run" || die "$name: a run step failed"
  fi
  in_chroot "$root" 'apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log'
  rm -f "$root/usr/sbin/policy-rc.d"
}

# Busybox template tree: busybox-static + the listed .debs unpacked (no
# dependency resolution: list every package), accounts written directly.
tree_busybox() {
  local name=$1 tpl=$2 root=$3 pkg deb applet
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib,etc,root,home,tmp,proc,sys,dev,run,var/tmp,var/log}
  chmod 1777 "$root/tmp" "$root/var/tmp"; chmod 700 "$root/root"
  for pkg in busybox-static $(jq -r '(.packages // [])[]' <<<"$tpl"); do
    deb=$(fetch_deb "$pkg")
    log "$name: unpacking $(basename "$deb")"
    dpkg-deb -x "$deb" "$root"
  done
  # busybox applets fill in whatever the packages did not provide (bash stays bash)
  while read -r applet; do
    [[ -e $root/$applet || -L $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
  done < <("$root/bin/busybox" --list-full)
  rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale"
  cat >"$root/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/bash
user:x:1000:1000::/home/user:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOT
  cat >"$root/etc/group" <<'EOT'
root:x:0:
tty:x:5:
user:x:1000:
nogroup:x:65534:
EOT
  printf 'root:*:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
  chmod 640 "$root/etc/shadow"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  cat >"$root/etc/profile" <<'EOT'
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[ "$(id -u)" = 0 ] && PS1='\h:\w# ' || PS1='\u@\h:\w$ '
for f in /etc/profile.d/*.sh; do [ -r "$f" ] && . "$f"; done
unset f
EOT
  mkdir -p "$root/home/user" "$root/etc/profile.d"; chown 1000:1000 "$root/home/user"; chmod 750 "$root/home/user"
}

# Steps every template gets: npm packages, symlinks, files, env, network files.
tree_finish() {
  local name=$1 tpl=$2 root=$3 dir=$IMAGES_DIR/templates/$1 n i spec dest ver tgz src mode owner
  n=$(jq '(.npm // []) | length' <<<"$tpl")
  for ((i = 0; i < n; i++)); do
    spec=$(jq -r ".npm[$i].spec" <<<"$tpl"); dest=$(jq -r ".npm[$i].dest" <<<"$tpl")
    ver=$(npm_version "$spec"); [[ -n $ver ]] || die "$name: npm cannot resolve $spec"
    tgz=$(fetch_npm "${spec%@*}" "$ver")
    log "$name: npm ${spec%@*}@$ver -> $dest"
    mkdir -p "$root$dest"; tar -xzf "$tgz" -C "$root$dest" --strip-components=1 --no-same-owner
  done
  while IFS=$'\t' read -r dest src; do
    [[ -n $dest ]] || continue
    mkdir -p "$(dirname "$root$dest")"; ln -sfn "$src" "$root$dest"
  done < <(jq -r '(.symlinks // {}) | to_entries[] | "\(.key)\t\(.value)"' <<<"$tpl")
  n=$(jq '(.files // []) | length' <<<"$tpl")
  for ((i = 0; i < n; i++)); do
    src=$(jq -r ".files[$i].src" <<<"$tpl"); dest=$(jq -r ".files[$i].dest" <<<"$tpl")
    mode=$(jq -r ".files[$i].mode // \"0644\"" <<<"$tpl"); owner=$(jq -r ".files[$i].owner // \"0:0\"" <<<"$tpl")
    [[ -f $dir/$src ]] || die "$name: file $src not in $dir"
    install -D -m "$mode" -o "${owner%:*}" -g "${owner#*:}" "$dir/$src" "$root$dest"
  done
  jq -r '(.env // {}) | to_entries[] | "export \(.key)=\(.value | @sh)"' <<<"$tpl" \
    >"$root/etc/profile.d/wrenn-template.sh"
  printf 'sandbox\n' >"$root/etc/hostname"
  cat >"$root/etc/hosts" <<'EOT'
127.0.0.1	localhost
127.0.1.1	sandbox
::1	localhost ip6-localhost ip6-loopback
EOT
  printf '# Written at boot by envd from the wrenn.dns= kernel parameter.\n' >"$root/etc/resolv.conf"
  mkdir -p "$root/usr/local/bin" "$root/etc/wrenn"
  jq --arg name "$name" '{name: $name} + .' <<<"$tpl" >"$root/etc/wrenn/template.json"
}

# Runs the template's "check" commands as user 1000 through `bash -l -c` (as
# the E2B SDK does), so a broken runtime fails the build instead of a sandbox.
tree_check() {
  local name=$1 tpl=$2 root=$3 cmd out
  while IFS= read -r cmd; do
    [[ -n $cmd ]] || continue
    out=$(in_chroot "$root" "$cmd" 1000:1000 2>&1) || die "$name: check failed: $cmd: $out"
    log "$name: check: $cmd -> $(tr '\n' ' ' <<<"$out" | cut -c1-100)"
  done < <(jq -r '(.check // [])[]' <<<"$tpl")
}

# Prints the Debian packages a template names (busybox templates also get busybox-static).
template_debs() {
  jq -r '(.packages // [])[]' <<<"$1"
  [[ $(jq -r .base <<<"$1") == busybox ]] && echo busybox-static
  return 0
}

# Prints "name version" lines of everything a template pulls in: part of its key.
template_inputs() {
  local tpl=$1 p spec
  for p in $(template_debs "$tpl"); do
    [[ -n ${DEB_VERSIONS[$p]:-} ]] || die "package $p unknown to apt (run apt-get update)"
    echo "deb $p ${DEB_VERSIONS[$p]}"
  done
  for spec in $(jq -r '(.npm // [])[].spec' <<<"$tpl"); do
    [[ -n ${NPM_VERSIONS[$spec]:-} ]] || die "npm cannot resolve $spec"
    echo "npm $spec ${NPM_VERSIONS[$spec]}"
  done
  [[ $(jq -r .base <<<"$tpl") == debian ]] && echo "base $(debian_base_key "$(jq -r '.suite // "bookworm"' <<<"$tpl")")"
  return 0
}

# Builds $BUILD_DIR/<name>/rootfs.ext4 and template.json unless cached.
build_template() {
  local name=$1 tpl envd=$REPO_DIR/bin/envd inputs tree_key key out=$BUILD_DIR/$1 debs specs
  [[ -x $envd ]] || die "no $envd: run make build-envd"
  tpl=$(template_json "$name")
  # resolve versions once, in this shell, so later lookups are memoized
  mapfile -t debs < <(template_debs "$tpl"); ((${#debs[@]} == 0)) || deb_versions_load "${debs[@]}"
  mapfile -t specs < <(jq -r '(.npm // [])[].spec' <<<"$tpl"); ((${#specs[@]} == 0)) || npm_versions_load "${specs[@]}"
  inputs=$(template_inputs "$tpl")
  tree_key=$(printf '%s\n' "$inputs" "$(hash_paths "$IMAGES_DIR/templates/$name" "$IMAGES_DIR/lib/rootfs.sh" \
    "$IMAGES_DIR/lib/common.sh")" | sha | cut -c1-16)
  key=$(printf '%s\n' "$tree_key" "$(sha <"$envd")" | sha)
  if [[ -z ${FORCE:-} && -f $out/key && $(<"$out/key") == "$key" && -f $out/rootfs.ext4 ]]; then
    log "$name: cached ($(jq -r .sizeHuman "$out/template.json"))"; return 0
  fi
  local t0=$SECONDS tree=$CACHE_DIR/tree/$name-$tree_key
  if [[ -f $tree.done && -z ${FORCE:-} ]]; then
    log "$name: tree cached, repacking with the current envd"
  else
    rm -rf "$tree" "$tree.done"; mkdir -p "$tree"
    find "$CACHE_DIR/tree" -maxdepth 1 -regextype posix-extended -regex ".*/$name-[0-9a-f]{16}(\.done)?" \
      ! -name "$name-$tree_key*" -exec rm -rf {} + # older trees of this template
    "tree_$(jq -r .base <<<"$tpl")" "$name" "$tpl" "$tree"
    tree_finish "$name" "$tpl" "$tree"
    tree_check "$name" "$tpl" "$tree"
    touch "$tree.done"
  fi
  install -D -m 755 "$envd" "$tree/usr/local/bin/envd"
  local size used
  size=$(jq -r .diskSizeMiB <<<"$tpl")
  used=$(du -sm --apparent-size "$tree" | cut -f1)
  (( used * 5 / 4 + 16 < size )) || die "$name: content is ${used} MiB, diskSizeMiB $size leaves no room"
  mkdir -p "$out"; rm -f "$out/rootfs.ext4.tmp"
  log "$name: mkfs.ext4 ${size} MiB from ${used} MiB of files"
  truncate -s "${size}M" "$out/rootfs.ext4.tmp"
  mkfs.ext4 -q -F -L "wrenn-$name" -E lazy_itable_init=0,lazy_journal_init=1,root_owner=0:0 \
    -d "$tree" "$out/rootfs.ext4.tmp" || die "$name: mkfs.ext4 failed"
  e2fsck -fn "$out/rootfs.ext4.tmp" &>/dev/null || die "$name: the new filesystem does not check clean"
  mv "$out/rootfs.ext4.tmp" "$out/rootfs.ext4"
  local alloc secs=$((SECONDS - t0))
  alloc=$(( $(stat -c %b "$out/rootfs.ext4") * 512 ))
  jq --arg name "$name" --arg key "$key" --argjson used "$used" --argjson alloc "$alloc" --argjson secs "$secs" \
    --arg human "$(human "$alloc") allocated, ${size} MiB disk" \
    '{name: $name, key: $key, contentMiB: $used, allocatedBytes: $alloc, sizeHuman: $human,
      buildSeconds: $secs, memoryMiB: (.memoryMiB // 256), diskSizeMiB, env: (.env // {}),
      start: (.start // null), check: (.check // [])}' <<<"$tpl" >"$out/template.json"
  echo "$key" >"$out/key"
  log "$name: built in ${secs}s: ${used} MiB of files, $(human "$alloc") allocated in a ${size} MiB image"
}
