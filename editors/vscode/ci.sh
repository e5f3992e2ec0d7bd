#!/usr/bin/env bash
# CI for the VS Code extension: install the pinned dependencies, lint,
# compile, run the unit tests (plain Node, no VS Code) and build the .vsix.
# The unit tests also check the snippets with the plan-lsp binary when one
# is at hand (PLAN_LSP, else <repo>/target/{release,debug}/plan-lsp).
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
