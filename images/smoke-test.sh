#!/usr/bin/env bash
# Boots built template images under QEMU microvm (TCG) with envd as PID 1 and
# checks envd over the guest network:
#
#   images/smoke-test.sh [--quick] [template...]     (default: minimal)
#
# Per template: a private netns wrenn-smoke-<pid>-<n> holding a TAP
# (10.0.0.1/30, guest 10.0.0.2), QEMU started inside it, cold boot timed to
# GET /health = 204, then GET /envs, commands through process.Process/Start
# (Connect streaming, JSON; a hello and the template's "check" commands, run as
# user with `bash -l -c`), POST + GET /files, and SIGTERM to PID 1 (envd powers
# the VM off, QEMU must exit). Unimplemented envd endpoints (404/501) are
# reported as SKIP, not FAIL. --quick checks /health only.
# Everything (QEMU, netns) is torn down on exit; serial logs stay in build/smoke/.
# Run as root after images/build.sh.
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=${WRENN_IMAGES_BUILD_DIR:-$IMAGES_DIR/build}
HOST_IP=10.0.0.1 GUEST_IP=10.0.0.2 GUEST_MAC=52:54:00:00:00:02 TAP=tap0 PORT=49983
BOOT_TIMEOUT_S=${BOOT_TIMEOUT_S:-60}
TSC_KHZ=${TSC_KHZ:-$(awk -F: '/^cpu MHz/{printf "%d", $2*1000; exit}' /proc/cpuinfo)}
QUICK=
if [[ ${1:-} == --quick ]]; then QUICK=1; shift; fi
TEMPLATES=("$@"); ((${#TEMPLATES[@]})) || TEMPLATES=(minimal)

log() { echo "[smoke $(date +%T.%3N)] $*" >&2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

NS='' QEMU_PID='' RUN_DIR=$(mktemp -d /tmp/wrenn-smoke.XXXXXX)
LOG_DIR=$BUILD_DIR/smoke # serial logs of the last run stay here for debugging
mkdir -p "$LOG_DIR"
FAILS=0 RESULTS=()
teardown() {
  if [[ -n $QEMU_PID ]]; then
    kill "$QEMU_PID" 2>/dev/null || true
    wait "$QEMU_PID" 2>/dev/null || true
    if kill -0 "$QEMU_PID" 2>/dev/null; then log "QEMU $QEMU_PID survived SIGTERM"; kill -9 "$QEMU_PID" 2>/dev/null || true; fi
  fi
  QEMU_PID=
  if [[ -n $NS ]]; then ip netns del "$NS" 2>/dev/null || true; fi
  NS=
}
trap 'teardown; rm -rf "$RUN_DIR"' EXIT
trap 'exit 130' INT TERM

check() { # name status: prints and counts one check result (OK, SKIP or FAIL)
  log "  $1: $2"
  RESULTS+=("$T $1 $2")
  if [[ $2 == FAIL* ]]; then FAILS=$((FAILS + 1)); fi
  return 0
}
in_ns() { ip netns exec "$NS" "$@"; }
# curl inside the netns: prints the HTTP status (000: no answer), body in $RUN_DIR/body
req() {
  local code
  code=$(in_ns curl -sS --connect-timeout 1 --max-time 20 -o "$RUN_DIR/body" -w '%{http_code}' "$@" 2>/dev/null) || true
  echo "${code:-000}"
}

# Runs `bash -l -c CMD` as user $2 (default "user") through process.Process/Start,
# the way the E2B SDK does: a Connect server stream with the JSON codec, each
# message framed by 1 flag byte + a 4-byte big-endian length. Sets PROC_HTTP, PROC_EXIT, PROC_OUT
# (stdout + stderr) and PROC_ERR (a Connect error, if any).
run_process() {
  local msg n
  msg=$(jq -nc --arg c "$1" '{process: {cmd: "/bin/bash", args: ["-l", "-c", $c]}}')
  n=${#msg}
  printf "$(printf '\\000\\%03o\\%03o\\%03o\\%03o' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))%s" \
    "$msg" >"$RUN_DIR/start.bin"
  PROC_HTTP=$(req -X POST "http://$GUEST_IP:$PORT/process.Process/Start" -H 'Content-Type: application/connect+json' \
    -H "Authorization: Basic $(printf '%s:' "${2:-user}" | base64)" --data-binary "@$RUN_DIR/start.bin")
  local decoded
  decoded=$(python3 - "$RUN_DIR/body" <<'PY'
import base64, json, sys
data, out, code, err = open(sys.argv[1], "rb").read(), b"", "", ""
while len(data) >= 5:
    flags, size = data[0], int.from_bytes(data[1:5], "big")
    msg, data = json.loads(data[5:5 + size] or b"{}"), data[5 + size:]
    if flags & 2:  # end of stream: carries the error, if any
        err = json.dumps(msg.get("error", "")) if msg.get("error") else ""
        continue
    ev = msg.get("event", {})
    for k in ("stdout", "stderr"):
        out += base64.b64decode(ev.get("data", {}).get(k, ""))
    if "end" in ev:
        code = str(ev["end"].get("exitCode", 0))
print(json.dumps({"exit": code, "out": out.decode(errors="replace").replace("\n", " ").strip(), "err": err}))
PY
  ) || decoded='{"exit":"","out":"","err":"undecodable response"}'
  PROC_EXIT=$(jq -r .exit <<<"$decoded") PROC_OUT=$(jq -r .out <<<"$decoded") PROC_ERR=$(jq -r .err <<<"$decoded")
}

for i in "${!TEMPLATES[@]}"; do
  T=${TEMPLATES[$i]}
  IMG=$BUILD_DIR/$T/rootfs.ext4
  for f in "$BUILD_DIR/kernel/vmlinuz" "$BUILD_DIR/initramfs.cpio.gz" "$IMG"; do
    [[ -f $f ]] || { log "missing $f: run images/build.sh first"; exit 1; }
  done
  MEM=$(jq -r '.memoryMiB // 256' "$BUILD_DIR/$T/template.json")
  DISK=$RUN_DIR/$T.ext4
  cp --reflink=auto --sparse=always "$IMG" "$DISK" # the guest writes to a copy, never the template

  NS=wrenn-smoke-$$-$i
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  ip -n "$NS" tuntap add dev "$TAP" mode tap
  ip -n "$NS" addr add "$HOST_IP/30" dev "$TAP"
  ip -n "$NS" link set "$TAP" up
  ip -n "$NS" neigh replace "$GUEST_IP" lladdr "$GUEST_MAC" dev "$TAP" nud permanent

  CMDLINE="console=ttyS0 quiet panic=-1 reboot=t tsc_early_khz=$TSC_KHZ"
  CMDLINE+=" wrenn.ip=$GUEST_IP/30 wrenn.gw=$HOST_IP wrenn.dns=$HOST_IP wrenn.hostname=smoke-$T"
  CMDLINE+=${APPEND_EXTRA:+ $APPEND_EXTRA} # e.g. APPEND_EXTRA=loglevel=7 for a verbose serial log
  log "$T: booting (${MEM} MiB, $(du -h "$IMG" | cut -f1) image) in netns $NS"
  t0=$(now_ms)
  # started directly (not through a function) so that $! is QEMU itself: `ip netns exec` execs it
  ip netns exec "$NS" qemu-system-x86_64 -M microvm,acpi=on -accel tcg -m "$MEM" -smp 1 \
    -nodefaults -no-user-config -nographic -no-reboot \
    -kernel "$BUILD_DIR/kernel/vmlinuz" -initrd "$BUILD_DIR/initramfs.cpio.gz" -append "$CMDLINE" \
    -netdev tap,id=net0,ifname="$TAP",script=no,downscript=no \
    -device virtio-net-device,netdev=net0,mac="$GUEST_MAC" \
    -drive if=none,id=disk0,file="$DISK",format=raw -device virtio-blk-device,drive=disk0 \
    -device virtio-rng-device \
    -serial "file:$LOG_DIR/$T-serial.log" -qmp "unix:$RUN_DIR/$T-qmp.sock,server=on,wait=off" \
    </dev/null >"$RUN_DIR/$T-qemu.out" 2>&1 &
  QEMU_PID=$!

  code=000
  while (($(now_ms) - t0 < BOOT_TIMEOUT_S * 1000)); do
    kill -0 "$QEMU_PID" 2>/dev/null || break
    code=$(in_ns curl -s --connect-timeout 0.1 --max-time 1 -o /dev/null -w '%{http_code}' \
      "http://$GUEST_IP:$PORT/health" 2>/dev/null || true)
    [[ $code == 204 ]] && break
    sleep 0.02
  done
  boot_ms=$(($(now_ms) - t0))
  if [[ $code != 204 ]]; then
    check health "FAIL (last code ${code:-none} after ${boot_ms} ms)"
    log "serial log of $T:"; sed 's/^/    | /' "$LOG_DIR/$T-serial.log" >&2 || true
    sed 's/^/    q /' "$RUN_DIR/$T-qemu.out" >&2 || true
    teardown; continue
  fi
  check health "OK (204; cold boot to /health ${boot_ms} ms)"
  RESULTS+=("$T boot_ms $boot_ms")

  if [[ -z $QUICK ]]; then
    base=http://$GUEST_IP:$PORT
    r=$(req "$base/envs")
    if [[ $r == 200 ]] && jq -e 'type == "object"' "$RUN_DIR/body" >/dev/null 2>&1; then
      check envs "OK ($(jq -c . "$RUN_DIR/body" | cut -c1-80))"
    else check envs "FAIL (HTTP $r)"; fi

    # a plain command as user, then the template's own checks (python, node, ...)
    # shellcheck disable=SC2016 # expanded by the guest's bash
    run_process 'echo "hi from $(id -un) on $(hostname) in $PWD"'
    if [[ $PROC_EXIT == 0 && $PROC_OUT == "hi from user on smoke-$T in /home/user"* ]]; then
      check process "OK (stdout: $PROC_OUT)"
      while IFS= read -r c; do
        [[ -n $c ]] || continue
        run_process "$c"
        if [[ $PROC_EXIT == 0 ]]; then check "process: $c" "OK ($(cut -c1-100 <<<"$PROC_OUT"))"
        else check "process: $c" "FAIL (exit $PROC_EXIT: $(cut -c1-200 <<<"$PROC_OUT $PROC_ERR"))"; fi
      done < <(jq -r '(.check // [])[]' "$IMAGES_DIR/templates/$T/template.json")
    elif [[ $PROC_HTTP == 404 || $PROC_ERR == *unimplemented* ]]; then check process "SKIP (Start not implemented yet)"
    else check process "FAIL (HTTP $PROC_HTTP, exit ${PROC_EXIT:-none}: $PROC_OUT $PROC_ERR)"; fi

    printf 'written by the smoke test %s\n' "$$" >"$RUN_DIR/upload.txt"
    r=$(req -X POST "$base/files?path=/home/user/smoke.txt&username=user" -F "file=@$RUN_DIR/upload.txt")
    if [[ $r == 200 ]]; then
      r=$(req "$base/files?path=/home/user/smoke.txt&username=user")
      if [[ $r == 200 ]] && cmp -s "$RUN_DIR/body" "$RUN_DIR/upload.txt"; then check files "OK (POST + GET round trip)"
      else check files "FAIL (GET HTTP $r)"; fi
    elif [[ $r == 404 || $r == 405 || $r == 501 ]]; then check files "SKIP (POST /files HTTP $r: not implemented yet)"
    else check files "FAIL (POST HTTP $r: $(head -c 200 "$RUN_DIR/body"))"; fi

    # envd as PID 1 powers the VM off on SIGTERM: QEMU must exit by itself
    run_process 'kill -TERM 1' root
    t1=$(now_ms)
    while kill -0 "$QEMU_PID" 2>/dev/null && (($(now_ms) - t1 < 10000)); do sleep 0.05; done
    if kill -0 "$QEMU_PID" 2>/dev/null; then check poweroff "FAIL (QEMU still running 10 s after SIGTERM to PID 1)"
    else check poweroff "OK (QEMU exited $(($(now_ms) - t1)) ms after SIGTERM to PID 1)"; fi
  fi
  teardown
done

echo "==== smoke test summary ===="
printf '%s\n' "${RESULTS[@]}"
echo "RESULT fails=$FAILS"
((FAILS == 0))
