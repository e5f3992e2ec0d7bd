#!/usr/bin/env bash
# End-to-end test of the Neovim plugin (editors/nvim) against the real
# plan-lsp server, in headless Neovim.
#
#   editors/nvim/test/run.sh
#
# Environment:
#   PLAN_LSP               server binary (default: <repo>/target/release/plan-lsp)
#   PLAN_LSP_NVIM          Neovim binary (default: nvim; installed with apt-get
#                          when missing)
#   PLAN_LSP_E2E_TIMEOUT   limit for the whole Neovim run, seconds (default 100)
#   PLAN_LSP_E2E_WAIT_MS   limit for each wait inside the test, ms (default 15000)
#
# Exit status 0 only when every check passed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin="$(cd "$here/.." && pwd)"
repo="$(cd "$here/../../.." && pwd)"
server="${PLAN_LSP:-$repo/target/release/plan-lsp}"
nvim="${PLAN_LSP_NVIM:-nvim}"
limit="${PLAN_LSP_E2E_TIMEOUT:-100}"

fail() {
  echo "nvim e2e: FAIL: $*" >&2
  exit 1
}

# Neovim
if ! command -v "$nvim" >/dev/null 2>&1; then
  if [ "$nvim" = nvim ] && command -v apt-get >/dev/null 2>&1; then
    echo "nvim e2e: nvim not found; installing Debian's neovim package"
    sudo=""
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null 2>&1 || fail "nvim is missing and installing it needs root (apt-get install neovim)"
      sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null || echo "nvim e2e: apt-get update failed; trying the install anyway" >&2
    $sudo apt-get install -y -qq neovim >/dev/null || fail "apt-get install neovim failed"
  fi
  command -v "$nvim" >/dev/null 2>&1 || fail "Neovim ($nvim) not found; install it or set PLAN_LSP_NVIM"
fi
nvim="$(command -v "$nvim")"

# Server
case "$server" in
  */*)
    if [ ! -f "$server" ] || [ ! -x "$server" ]; then
      fail "server binary $server not found or not executable; build it with: (cd $repo && cargo build --release), or set PLAN_LSP"
    fi
    server="$(cd "$(dirname "$server")" && pwd)/$(basename "$server")"
    ;;
  *)
    path="$(type -P "$server" || true)"
    [ -n "$path" ] || fail "server command $server not found on PATH; set PLAN_LSP"
    server="$path"
    ;;
esac

tmp="$(mktemp -d "${TMPDIR:-/tmp}/plan-lsp-nvim-e2e.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work" "$tmp/xdg/config" "$tmp/xdg/data" "$tmp/xdg/state" "$tmp/xdg/cache"

echo "nvim e2e: running $nvim ($("$nvim" --version | head -n 1))"
start=$(date +%s%N)
set +e
env \
  XDG_CONFIG_HOME="$tmp/xdg/config" \
  XDG_DATA_HOME="$tmp/xdg/data" \
  XDG_STATE_HOME="$tmp/xdg/state" \
  XDG_CACHE_HOME="$tmp/xdg/cache" \
  PLAN_LSP_SERVER="$server" \
  PLAN_LSP_PLUGIN="$plugin" \
  PLAN_LSP_REPO="$repo" \
  PLAN_LSP_TMP="$tmp/work" \
  PLAN_LSP_E2E_SCRIPT="$here/e2e.lua" \
  timeout --kill-after=5 "$limit" \
  "$nvim" --headless --clean -u NONE -i NONE -n \
  -c 'lua local ok, err = pcall(dofile, vim.env.PLAN_LSP_E2E_SCRIPT); if not ok then io.stdout:write("nvim e2e: FAIL: " .. tostring(type(err) == "table" and err.msg or err) .. "\n"); vim.cmd("cquit 1") end' \
  </dev/null 2>&1 | tee "$tmp/output"
status=${PIPESTATUS[0]}
set -e
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))

log="$(find "$tmp/xdg" -name 'lsp.log' 2>/dev/null | head -n 1)"
if [ "$status" -ne 0 ] || ! grep -q '^nvim e2e: PASS' "$tmp/output"; then
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "nvim e2e: FAIL: Neovim did not finish within ${limit}s (timeout); the test hung" >&2
  fi
  if [ -n "$log" ] && [ -s "$log" ]; then
    echo "nvim e2e: last lines of Neovim's LSP log:" >&2
    tail -n 30 "$log" >&2
  fi
  fail "exit status $status after ${elapsed} ms"
fi
echo "nvim e2e: passed in ${elapsed} ms"
