#!/usr/bin/env bash
# The figures of docs/PERFORMANCE.md ("At any size"), in one run on this
# machine: keystroke latency beside the shared yardstick's floor at 167 /
# 2,000 / 20,000 / 200,000 lines, `check` of 1,000 plans beside rumdl, and
# first diagnostics in a workspace of 1,000 plans.
#
#   bash benches/matrix.sh [OUT_DIR]
#
# Needs ../shared/bench (the yardstick). rumdl is used when RUMDL points at
# its binary (npm install --prefix DIR @rumdl/cli-linux-x64@0.2.75, then
# RUMDL=DIR/node_modules/@rumdl/cli-linux-x64/rumdl).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/perf-matrix}
bench=../shared/bench
mkdir -p "$out/docs"

cargo build --release --quiet
cargo build --release --quiet --manifest-path "$bench/floor-server/Cargo.toml" --target-dir target/floor
python3 "$bench/gen_plan.py" --all "$out/docs" > /dev/null 2>&1
python3 "$bench/gen_plan.py" --lines 200000 -o "$out/docs/plan-200k.md" > /dev/null 2>&1
if [ ! -d "$out/ws1000" ]; then
    for i in $(seq 1 1000); do
        mkdir -p "$out/ws1000/svc$i/docs"
        python3 "$bench/gen_plan.py" --size typical --seed "$i" -o "$out/ws1000/svc$i/docs/deployment.md" > /dev/null 2>&1
    done
fi

echo "== keystroke -> diagnostics"
python3 "$bench/run_matrix.py" \
    --peer floor='target/floor/release/bench-stub-server --null' \
    --peer plan-lsp='target/release/plan-lsp --stdio' \
    --doc typical="$out/docs/plan-typical.md" --doc 2k="$out/docs/plan-2k.md" \
    --doc 20k="$out/docs/plan-20k.md" --doc 200k="$out/docs/plan-200k.md" \
    --rounds 3 --edits 100 --out "$out/matrix" > "$out/matrix.log" 2>&1
cat "$out/matrix/summary.md"

echo "== check of 1,000 plans (wall s, peak RSS KiB; 3 runs each)"
for _ in 1 2 3; do
    /usr/bin/time -f "plan-lsp check  %e s  %M KiB" target/release/plan-lsp check "$out/ws1000" > /dev/null 2> "$out/time.txt" || true
    tail -1 "$out/time.txt"
    if [ -n "${RUMDL:-}" ]; then
        /usr/bin/time -f "rumdl check     %e s  %M KiB" "$RUMDL" check --no-cache "$out/ws1000" > /dev/null 2> "$out/time.txt" || true
        tail -1 "$out/time.txt"
    fi
done

echo "== first diagnostics with 1,000 plans in the workspace"
python3 benches/workspace_first_diagnostics.py target/release/plan-lsp "$out/ws1000" "$out/ws1000/svc500/docs/deployment.md" 7
