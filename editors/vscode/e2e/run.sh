#!/usr/bin/env bash
# End-to-end test of the plan-lsp VS Code extension in a real VS Code:
# code-server serves VS Code on 127.0.0.1, headless Chromium (Debian's, driven
# by playwright-core) opens a workspace with a defective plan, and the test
# reads the Problems panel, triggers completion and runs source actions,
# deploys and rolls back for real (a .plan-lsp.toml command), and, in a
# second code-server with Workspace Trust on, checks that an untrusted
# workspace cannot deploy. The extension is the platform .vsix with the
# server inside (server/plan-lsp, a copy of PLAN_LSP), and code-server runs
# with no plan-lsp on its PATH or in CARGO_HOME and no planLsp.server.path
# setting: the bundled binary is the one that serves.
#
#   editors/vscode/e2e/run.sh
#
# Environment:
#   PLAN_LSP            server binary, bundled into the .vsix (default: <repo>/target/release/plan-lsp)
#   E2E_TIMEOUT         bound on the whole run in seconds (default 1080)
#   E2E_ARTIFACTS       where screenshots and logs go (default: e2e/.artifacts/<time>)
#   PLAN_LSP_E2E_CACHE  where code-server and playwright-core are installed
#                       (default /tmp/plan-lsp-e2e; reused while package-lock.json is unchanged)
#   E2E_PORT            code-server port (default: a free one)
#   E2E_KEEP=1          keep the run directory (workspace, profiles) afterwards
#   E2E_ONLY            a regular expression: run only the test steps whose name
#                       matches (and the critical ones), e.g. E2E_ONLY=keyboard
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXT_DIR="$(cd "$E2E_DIR/.." && pwd)"
REPO_ROOT="$(cd "$EXT_DIR/../.." && pwd)"

# The whole run is bounded: re-run this script under timeout(1), which signals
# the script's whole process group when the time is up.
if [ -z "${PLAN_LSP_E2E_BOUNDED:-}" ]; then
    export PLAN_LSP_E2E_BOUNDED=1
    exec timeout --kill-after=30 "${E2E_TIMEOUT:-1080}" bash "${BASH_SOURCE[0]}" "$@"
fi

START_SECONDS=$SECONDS
log() { printf '[e2e %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

CODE_SERVER_VERSION=4.100.3   # the last release that runs on Node 20
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# --- the server binary -------------------------------------------------------
PLAN_LSP="${PLAN_LSP:-$REPO_ROOT/target/release/plan-lsp}"
case "$PLAN_LSP" in
    /*) ;;
    *) PLAN_LSP="$(pwd)/$PLAN_LSP" ;;
esac
[ -x "$PLAN_LSP" ] || die "no plan-lsp binary at $PLAN_LSP (build it with 'cargo build --release' in $REPO_ROOT, or set PLAN_LSP)"
log "server: $PLAN_LSP ($("$PLAN_LSP" --version 2>/dev/null || echo 'no --version'))"

# --- artifacts and the run directory -----------------------------------------
ARTIFACTS="${E2E_ARTIFACTS:-$E2E_DIR/.artifacts/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$ARTIFACTS"
ARTIFACTS="$(cd "$ARTIFACTS" && pwd)"
RUN_DIR="$(mktemp -d /tmp/plan-lsp-e2e-run.XXXXXX)"
printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' >"$RUN_DIR/config.yaml"
log "artifacts (screenshots on failure, logs): $ARTIFACTS"
# One binary for the whole run (bundled into the .vsix, and the CLI the test
# takes expected texts from), even if a build replaces $PLAN_LSP meanwhile.
mkdir -p "$RUN_DIR/bin"
cp "$PLAN_LSP" "$RUN_DIR/bin/plan-lsp"
PLAN_LSP="$RUN_DIR/bin/plan-lsp"

CS_PID=""
CS_UNTRUSTED_PID=""
stop_group() {
    # code-server runs in its own process group (setsid): end the group,
    # which holds its server, the extension host and plan-lsp.
    local pid=$1
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$CS_PID" ]; then
        stop_group "$CS_PID"
        log "code-server stopped"
    fi
    if [ -n "$CS_UNTRUSTED_PID" ]; then
        stop_group "$CS_UNTRUSTED_PID"
        log "code-server (Workspace Trust on) stopped"
    fi
    if [ -d "$RUN_DIR/user-data/logs" ]; then
        cp -r "$RUN_DIR/user-data/logs" "$ARTIFACTS/vscode-logs" 2>/dev/null || true
    fi
    if [ -d "$RUN_DIR/user-data-untrusted/logs" ]; then
        cp -r "$RUN_DIR/user-data-untrusted/logs" "$ARTIFACTS/vscode-logs-untrusted" 2>/dev/null || true
    fi
    if [ "${E2E_KEEP:-0}" = 1 ]; then
        log "run directory kept: $RUN_DIR"
    else
        rm -rf "$RUN_DIR"
    fi
    if [ "$status" -eq 0 ]; then
        log "PASS ($((SECONDS - START_SECONDS))s)"
    else
        log "FAILED with status $status ($((SECONDS - START_SECONDS))s); screenshots and logs in $ARTIFACTS"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- Debian packages -----------------------------------------------------------
missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$p"
    done
}
ensure_packages() {
    local missing
    missing="$(missing_packages "$@")"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        die "missing Debian packages: $missing (install them with apt-get as root)"
    fi
    log "installing Debian packages: $missing"
    timeout 300 apt-get update -qq || log "apt-get update failed; trying the install anyway"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || die "apt-get install $missing failed"
}
ensure_packages chromium ripgrep ca-certificates fonts-liberation
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM"

# --- code-server and playwright-core, installed once per lockfile ------------
CACHE_ROOT="${PLAN_LSP_E2E_CACHE:-/tmp/plan-lsp-e2e}"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" = 20 ] || log "warning: code-server $CODE_SERVER_VERSION needs Node 20; this is Node $NODE_MAJOR"
LOCK_HASH="$( (cat "$E2E_DIR/package-lock.json"; node -p 'process.version + process.arch') | sha256sum | cut -c1-16)"
DEPS="$CACHE_ROOT/deps-$LOCK_HASH"
mkdir -p "$CACHE_ROOT"

install_deps() {
    # Native modules of code-server are built from source here.
    ensure_packages g++ make pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
    command -v python3 >/dev/null || ensure_packages python3
    local work="$DEPS.partial"
    rm -rf "$work"
    mkdir -p "$work/tmp"
    cp "$E2E_DIR/package.json" "$E2E_DIR/package-lock.json" "$work/"
    # @vscode/ripgrep downloads rg from GitHub unless its download cache
    # already holds the archive: give it Debian's ripgrep there.
    local rg_pkg_version=1.15.11 rg_release=v13.0.0-10 arch
    case "$(uname -m)" in
        x86_64) arch=x86_64-unknown-linux-musl ;;
        aarch64) arch=aarch64-unknown-linux-musl ;;
        *) die "no ripgrep archive name known for $(uname -m)" ;;
    esac
    mkdir -p "$work/tmp/vscode-ripgrep-cache-$rg_pkg_version" "$work/tmp/rg"
    cp "$(command -v rg)" "$work/tmp/rg/rg"
    tar -czf "$work/tmp/vscode-ripgrep-cache-$rg_pkg_version/ripgrep-$rg_release-$arch.tar.gz" -C "$work/tmp/rg" rg
    # node-gyp builds against the headers of the running Node.
    local nodedir
    nodedir="$(node -p 'require("path").dirname(require("path").dirname(process.execPath))')"
    [ -f "$nodedir/include/node/node.h" ] || die "no Node headers under $nodedir/include/node (node-gyp would try to download them)"
    log "installing code-server $CODE_SERVER_VERSION and playwright-core into $DEPS (a few minutes, once)"
    (
        cd "$work"
        export TMPDIR="$work/tmp"
        export npm_config_nodedir="$nodedir"
        export npm_config_unsafe_perm=true
        export npm_config_yes=true
        export npm_config_dangerously_allow_all_scripts=true
        export npm_config_audit=false
        export npm_config_fund=false
        export npm_config_update_notifier=false
        export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
        timeout 1200 npm ci --loglevel=error
    ) >"$ARTIFACTS/npm-e2e-install.log" 2>&1 || {
        tail -40 "$ARTIFACTS/npm-e2e-install.log" >&2
        die "npm ci of the e2e dependencies failed (log: $ARTIFACTS/npm-e2e-install.log)"
    }
    local rg_bin="$work/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
    if [ ! -x "$rg_bin" ]; then
        mkdir -p "$(dirname "$rg_bin")"
        cp "$(command -v rg)" "$rg_bin"
    fi
    rm -rf "$work/tmp"
    XDG_CONFIG_HOME="$work/tmp-xdg" XDG_DATA_HOME="$work/tmp-xdg" \
        "$work/node_modules/.bin/code-server" --version >/dev/null || die "the installed code-server does not run"
    rm -rf "$work/tmp-xdg"
    touch "$work/.complete"
    rm -rf "$DEPS"
    mv "$work" "$DEPS"
}

(
    # One installer at a time per cache.
    if command -v flock >/dev/null; then flock -w 1200 9 || exit 1; fi
    if [ ! -f "$DEPS/.complete" ]; then install_deps; fi
) 9>"$CACHE_ROOT/.lock"
[ -f "$DEPS/.complete" ] || die "e2e dependencies are not installed in $DEPS"
CODE_SERVER="$DEPS/node_modules/.bin/code-server"
# Keep code-server's config, logs and heartbeat out of $HOME.
export XDG_CONFIG_HOME="$RUN_DIR/xdg-config" XDG_DATA_HOME="$RUN_DIR/xdg-data"
log "code-server: $("$CODE_SERVER" --config "$RUN_DIR/config.yaml" --version | head -1)"

# --- the extension --------------------------------------------------------------
# The platform .vsix of this machine, with $PLAN_LSP inside as server/plan-lsp.
case "$(uname -m)" in
    x86_64) TARGET=linux-x64 ;;
    aarch64) TARGET=linux-arm64 ;;
    *) die "no VS Code target known for $(uname -m)" ;;
esac
log "building the extension ($TARGET .vsix, bundling $PLAN_LSP)"
(
    cd "$EXT_DIR"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        timeout 600 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    fi
    PLAN_LSP="$PLAN_LSP" timeout 300 node scripts/package.mjs --target "$TARGET"
) >"$ARTIFACTS/extension-build.log" 2>&1 || {
    tail -40 "$ARTIFACTS/extension-build.log" >&2
    die "building the extension failed (log: $ARTIFACTS/extension-build.log)"
}
VSIX="$EXT_DIR/plan-lsp-$TARGET.vsix"
[ -f "$VSIX" ] || die "no $VSIX after scripts/package.mjs --target $TARGET"

mkdir -p "$RUN_DIR/extensions" "$RUN_DIR/user-data/User" "$RUN_DIR/chromium-profile"
log "installing the .vsix into a fresh extensions dir"
timeout 180 "$CODE_SERVER" --config "$RUN_DIR/config.yaml" --user-data-dir "$RUN_DIR/user-data" \
    --extensions-dir "$RUN_DIR/extensions" \
    --install-extension "$VSIX" >"$ARTIFACTS/install-extension.log" 2>&1 || {
    cat "$ARTIFACTS/install-extension.log" >&2
    die "code-server --install-extension failed"
}
compgen -G "$RUN_DIR/extensions/plan-lsp.plan-lsp-*" >/dev/null || die "the extension is not in $RUN_DIR/extensions"
BUNDLED="$(compgen -G "$RUN_DIR/extensions/plan-lsp.plan-lsp-*/server/plan-lsp" | head -1 || true)"
[ -n "$BUNDLED" ] && [ -e "$BUNDLED" ] || die "the installed extension has no server/plan-lsp"
[ -x "$BUNDLED" ] || die "the installed $BUNDLED is not executable (the .vsix lost its exec bit)"
cmp -s "$BUNDLED" "$PLAN_LSP" || die "the installed $BUNDLED is not a copy of $PLAN_LSP"
log "bundled server: $BUNDLED"

# code-server (and so the extension host) runs with the system's PATH and
# node only, and an empty CARGO_HOME: no plan-lsp but the bundled one.
CS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
NODE_DIR="$(dirname "$(command -v node)")"
case ":$CS_PATH:" in *":$NODE_DIR:"*) ;; *) CS_PATH="$CS_PATH:$NODE_DIR" ;; esac
CS_CARGO_HOME="$RUN_DIR/no-cargo-home"
mkdir -p "$CS_CARGO_HOME"
if found="$(env PATH="$CS_PATH" sh -c 'command -v plan-lsp')"; then
    die "a plan-lsp is on the PATH code-server gets ($found): the test could not tell it from the bundled one"
fi
log "code-server PATH: $CS_PATH (no plan-lsp on it), CARGO_HOME: $CS_CARGO_HOME"

# --- workspace and settings -------------------------------------------------------
WORKSPACE="$RUN_DIR/workspace"
cp -r "$E2E_DIR/fixtures/workspace" "$WORKSPACE"
cp "$E2E_DIR/fixtures/user-settings.json" "$RUN_DIR/user-data/User/settings.json"
# No planLsp.server.path anywhere: the extension finds its bundled server.
if grep -q 'planLsp.server.path' "$WORKSPACE/.vscode/settings.json" "$RUN_DIR/user-data/User/settings.json"; then
    die "the e2e settings must not set planLsp.server.path"
fi
free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
PORT="${E2E_PORT:-$(free_port)}"
URL="http://127.0.0.1:$PORT"

# A second code-server with Workspace Trust on (the first one runs with
# --disable-workspace-trust), for the untrusted-workspace step: the test
# fills $UNTRUSTED_WORKSPACE and opens it there without trusting it. The
# server is the bundled one there too (an untrusted workspace's own
# planLsp.server.path is not read).
UNTRUSTED_WORKSPACE="$RUN_DIR/untrusted"
mkdir -p "$UNTRUSTED_WORKSPACE" "$RUN_DIR/user-data-untrusted/User"
node -e '
    const fs = require("fs");
    const [from, to] = process.argv.slice(1);
    const settings = JSON.parse(fs.readFileSync(from, "utf8"));
    settings["security.workspace.trust.enabled"] = true;
    fs.writeFileSync(to, JSON.stringify(settings, null, 2) + "\n");
' "$E2E_DIR/fixtures/user-settings.json" "$RUN_DIR/user-data-untrusted/User/settings.json"
UNTRUSTED_PORT="$(free_port)"
while [ "$UNTRUSTED_PORT" = "$PORT" ]; do UNTRUSTED_PORT="$(free_port)"; done
UNTRUSTED_URL="http://127.0.0.1:$UNTRUSTED_PORT"

# --- code-server -------------------------------------------------------------------
log "starting code-server on $URL"
PATH="$CS_PATH" CARGO_HOME="$CS_CARGO_HOME" setsid "$CODE_SERVER" \
    --config "$RUN_DIR/config.yaml" \
    --auth none \
    --bind-addr "127.0.0.1:$PORT" \
    --disable-telemetry \
    --disable-update-check \
    --disable-workspace-trust \
    --disable-getting-started-override \
    --ignore-last-opened \
    --user-data-dir "$RUN_DIR/user-data" \
    --extensions-dir "$RUN_DIR/extensions" \
    "$WORKSPACE" >"$ARTIFACTS/code-server.log" 2>&1 </dev/null &
CS_PID=$!

log "starting code-server (Workspace Trust on) on $UNTRUSTED_URL"
PATH="$CS_PATH" CARGO_HOME="$CS_CARGO_HOME" setsid "$CODE_SERVER" \
    --config "$RUN_DIR/config.yaml" \
    --auth none \
    --bind-addr "127.0.0.1:$UNTRUSTED_PORT" \
    --disable-telemetry \
    --disable-update-check \
    --disable-getting-started-override \
    --ignore-last-opened \
    --user-data-dir "$RUN_DIR/user-data-untrusted" \
    --extensions-dir "$RUN_DIR/extensions" \
    "$UNTRUSTED_WORKSPACE" >"$ARTIFACTS/code-server-untrusted.log" 2>&1 </dev/null &
CS_UNTRUSTED_PID=$!

wait_ready() {
    local url=$1 pid=$2 logfile=$3
    for _ in $(seq 1 120); do
        if node -e '
            fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
                .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
        ' "$url/healthz" 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$logfile" >&2; die "code-server ($url) exited"; }
        sleep 0.5
    done
    cat "$logfile" >&2
    die "code-server did not answer on $url within 60s"
}
wait_ready "$URL" "$CS_PID" "$ARTIFACTS/code-server.log"
wait_ready "$UNTRUSTED_URL" "$CS_UNTRUSTED_PID" "$ARTIFACTS/code-server-untrusted.log"
log "code-server is up"

# --- the test ------------------------------------------------------------------------
log "running the Playwright test"
E2E_URL="$URL" \
E2E_WORKSPACE="$WORKSPACE" \
E2E_ARTIFACTS="$ARTIFACTS" \
E2E_DEPS="$DEPS" \
E2E_CHROMIUM="$CHROMIUM" \
E2E_CHROMIUM_PROFILE="$RUN_DIR/chromium-profile" \
E2E_USER_DATA="$RUN_DIR/user-data" \
E2E_PLAN_LSP="$PLAN_LSP" \
E2E_EXTENSIONS="$RUN_DIR/extensions" \
E2E_CS_CARGO_HOME="$CS_CARGO_HOME" \
E2E_UNTRUSTED_URL="$UNTRUSTED_URL" \
E2E_UNTRUSTED_WORKSPACE="$UNTRUSTED_WORKSPACE" \
E2E_UNTRUSTED_USER_DATA="$RUN_DIR/user-data-untrusted" \
E2E_REPO="$REPO_ROOT" \
    timeout --kill-after=10 600 node "$E2E_DIR/test.mjs"
