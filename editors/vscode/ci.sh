#!/usr/bin/env bash
# CI for the VS Code extension: install the pinned dependencies, lint,
# compile, run the unit tests (plain Node, no VS Code) and build the .vsix
# files: plan-lsp.vsix (no server inside) and plan-lsp-linux-x64.vsix (the
# release plan-lsp inside, server/plan-lsp). The unit tests also check the
# snippets with the plan-lsp binary when one is at hand (PLAN_LSP, else
# <repo>/target/{release,debug}/plan-lsp); the platform .vsix bundles
# PLAN_LSP, else <repo>/target/release/plan-lsp. Both carry the JSON Schema
# of .plan-lsp.toml (<repo>/schemas/plan-lsp.schema.json, else
# `plan-lsp config schema`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

step() { printf '\n== %s\n' "$*"; }

step "npm ci"
# No dependency needs its install scripts to build, lint, test or package.
timeout 600 npm ci --ignore-scripts --no-audit --no-fund
step "lint"
timeout 300 npm run lint
step "compile"
timeout 300 npm run compile
step "unit tests"
timeout 300 npm test
step "package"
timeout 300 npm run package
ls -l plan-lsp.vsix
step "package (linux-x64, with the server)"
timeout 300 npm run package:linux-x64
ls -l plan-lsp-linux-x64.vsix
if command -v unzip >/dev/null; then
    # The binary keeps its exec bit in the archive (VS Code extracts the mode).
    unzip -Z plan-lsp-linux-x64.vsix extension/server/plan-lsp extension/server/target.json extension/schemas/plan-lsp.schema.json
    unzip -Z plan-lsp-linux-x64.vsix extension/server/plan-lsp | grep -q '^-rwxr-xr-x' \
        || { echo "extension/server/plan-lsp is not executable in the .vsix"; exit 1; }
    if unzip -Z1 plan-lsp.vsix | grep -q '^extension/server/'; then
        echo "plan-lsp.vsix (universal) must not carry a server"; exit 1
    fi
fi
