-- End-to-end test of the plan-lsp Neovim plugin against the real server.
--
-- Run through test/run.sh, which starts
--   nvim --headless --clean -u NONE -i NONE -n -c "lua dofile(vim.env.PLAN_LSP_E2E_SCRIPT)"
-- with these variables set:
--   PLAN_LSP_SERVER   server command (absolute path)
--   PLAN_LSP_PLUGIN   the plugin directory (editors/nvim)
--   PLAN_LSP_REPO     the repository (for examples/)
--   PLAN_LSP_TMP      an empty scratch directory
--
-- Works on Neovim 0.7 (start_client path, push diagnostics) and on 0.8+
-- (vim.lsp.start; pull diagnostics from 0.10 on). Exits 0 only when every
-- check passes; prints each step.

local uv = vim.loop or vim.uv

local WAIT_MS = tonumber(vim.env.PLAN_LSP_E2E_WAIT_MS or "") or 15000

local function out(fmt, ...)
  io.stdout:write(string.format(fmt, ...) .. "\n")
  io.stdout:flush()
end

local Failure = {}
local function fail(fmt, ...)
  error(setmetatable({ msg = string.format(fmt, ...) }, Failure), 0)
end

local function check(cond, fmt, ...)
  if not cond then
    fail(fmt, ...)
  end
  return cond
end

-- the suites' shared helpers (this suite keeps its own failure reporting)
local H = dofile(vim.fn.fnamemodify(vim.env.PLAN_LSP_E2E_SCRIPT, ":h") .. "/helpers.lua")
local has, client_call = H.has, H.client_call

local function env(name)
  local v = vim.env[name]
  check(v ~= nil and v ~= "", "environment variable %s is not set (run this test through editors/nvim/test/run.sh)", name)
  return v
end

local SERVER = env("PLAN_LSP_SERVER")
local PLUGIN = env("PLAN_LSP_PLUGIN")
local REPO = env("PLAN_LSP_REPO")
local TMP = env("PLAN_LSP_TMP")

---------------------------------------------------------------------------
-- helpers

local function read_file(path)
  local f = io.open(path, "rb")
  check(f, "cannot read %s", path)
  local s = f:read("*a")
  f:close()
  return s
end

local function write_file(path, text)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
  local f = io.open(path, "wb")
  check(f, "cannot write %s", path)
  f:write(text)
  f:close()
end

local function realpath(p)
  return uv.fs_realpath(p) or p
end

local function lines_of(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

-- 0-based index of the only line matching `pattern` (a Lua pattern).
local function find_line(bufnr, pattern)
  local found
  for i, line in ipairs(lines_of(bufnr)) do
    if line:find(pattern) then
      check(found == nil, "more than one line of the plan matches %q", pattern)
      found = i - 1
    end
  end
  check(found ~= nil, "no line of the plan matches %q (has the example changed?)", pattern)
  return found
end

local function line_text(bufnr, lnum)
  return vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, false)[1] or ""
end

local function buf_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  local list = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    table.insert(list, c)
  end
  return list
end

local function diags(bufnr)
  return vim.diagnostic.get(bufnr)
end

-- The text a diagnostic's range covers (single-line ranges), in the buffer.
local function range_text(bufnr, d)
  local line = line_text(bufnr, d.lnum)
  if (d.end_lnum or d.lnum) ~= d.lnum then
    return line:sub(d.col + 1)
  end
  return line:sub(d.col + 1, d.end_col)
end

local function describe(bufnr, d)
  return string.format("%s@%d:%d %q", tostring(d.code), d.lnum + 1, d.col + 1, range_text(bufnr, d))
end

local function summary(bufnr)
  local parts = {}
  for _, d in ipairs(diags(bufnr)) do
    table.insert(parts, describe(bufnr, d))
  end
  table.sort(parts)
  if #parts == 0 then
    return "(none)"
  end
  return table.concat(parts, ", ")
end

local function find_diag(bufnr, code, lnum)
  local found = {}
  for _, d in ipairs(diags(bufnr)) do
    if d.code == code and (lnum == nil or d.lnum == lnum) then
      table.insert(found, d)
    end
  end
  return found
end

local exited = {}

-- vim.wait that also stops when a server exits; fails with `what` on timeout.
local function wait_for(what, cond, timeout)
  local ok = vim.wait(timeout or WAIT_MS, function()
    return next(exited) ~= nil or cond()
  end, 20)
  for id, e in pairs(exited) do
    fail("the server (client %d) exited with code %s, signal %s while waiting for %s", id, tostring(e.code), tostring(e.signal), what)
  end
  if not ok then
    fail("timed out after %d ms waiting for %s", timeout or WAIT_MS, what)
  end
end

-- Records every diagnostics report the client receives (push or pull), by URI.
local reports = {}
local function instrument(method)
  local orig = vim.lsp.handlers[method]
  if not orig then
    return
  end
  vim.lsp.handlers[method] = function(err, result, ctx, config)
    local uri = (result and result.uri) or (ctx.params and ctx.params.textDocument and ctx.params.textDocument.uri)
    if uri then
      local r = reports[uri] or { count = 0 }
      r.count = r.count + 1
      r.method = method
      if method == "textDocument/publishDiagnostics" then
        r.version = result.version
      end
      reports[uri] = r
    end
    return orig(err, result, ctx, config)
  end
end
instrument("textDocument/publishDiagnostics")
instrument("textDocument/diagnostic")

local function lsp_position(bufnr, lnum, col, encoding)
  return { line = lnum, character = vim.lsp.util.character_offset(bufnr, lnum, col, encoding) }
end

-- An LSP Diagnostic rebuilt from a vim.diagnostic entry (for codeAction context).
local function to_lsp(bufnr, d, encoding)
  local lsp = (d.user_data and d.user_data.lsp) or {}
  return {
    range = {
      start = lsp_position(bufnr, d.lnum, d.col, encoding),
      ["end"] = lsp_position(bufnr, d.end_lnum or d.lnum, d.end_col or d.col, encoding),
    },
    severity = d.severity,
    code = d.code,
    source = d.source,
    message = d.message,
    data = lsp.data,
  }
end

-- One request to the buffer's plan-lsp client; fails on error or no answer.
local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, WAIT_MS)
  check(responses ~= nil, "%s: no response within %d ms (%s)", method, WAIT_MS, tostring(err))
  local got
  for _, r in pairs(responses) do
    check(r.err == nil, "%s failed: %s", method, vim.inspect(r.err))
    got = r
  end
  check(got ~= nil, "%s: no client answered", method)
  return got.result
end

local function contains(list, value)
  for _, v in ipairs(list) do
    if v == value then
      return true
    end
  end
  return false
end

---------------------------------------------------------------------------
-- steps

local steps = {}
local function step(name, fn)
  table.insert(steps, { name = name, fn = fn })
end

local S = {} -- state shared between steps

step("set up a workspace with a copy of the defects plan", function()
  local example = REPO .. "/examples/defects/docs/deployment.md"
  local text = read_file(example)
  local patched, n = text:gsub("\n%- Provider: AWS\n", "\n- Provider: aws\n", 1)
  check(n == 1, "%s has no `- Provider: AWS` line to turn into `aws`", example)

  S.root = realpath(TMP) .. "/project"
  vim.fn.mkdir(S.root .. "/.git", "p")
  S.plan = S.root .. "/docs/deployment.md"
  write_file(S.plan, patched)
  S.notes = S.root .. "/notes.md"
  write_file(S.notes, "# Notes\n\nNothing to deploy here.\n")

  S.other_root = realpath(TMP) .. "/other"
  write_file(S.other_root .. "/.plan-lsp.toml", 'env = "staging"\n')
  S.clean = S.other_root .. "/docs/deployment.md"
  write_file(S.clean, read_file(REPO .. "/examples/production/docs/deployment.md"))
  out("    workspace %s", S.root)
end)

step("load the plugin and call setup()", function()
  vim.opt.runtimepath:prepend(PLUGIN)
  vim.cmd("filetype on")
  S.plugin = require("plan_lsp")
  S.plugin.setup({
    cmd = { SERVER },
    settings = {
      rules = {
        ["unchecked-item"] = "off",
        ["high-risk-proceed"] = "info",
      },
    },
    on_exit = function(code, signal, client_id)
      if not S.stopping then
        exited[client_id] = { code = code, signal = signal }
      end
    end,
  })
  check(S.plugin.find_root(S.plan) == S.root, "find_root(%s) = %s, expected %s", S.plan, S.plugin.find_root(S.plan), S.root)
  check(S.plugin.find_root(S.clean) == S.other_root, "find_root(%s) = %s, expected %s", S.clean, S.plugin.find_root(S.clean), S.other_root)
end)

step("open the plan: the server starts and attaches", function()
  vim.cmd("edit " .. vim.fn.fnameescape(S.plan))
  S.buf = vim.api.nvim_get_current_buf()
  check(vim.bo[S.buf].filetype == "markdown", "filetype is %q, expected markdown", vim.bo[S.buf].filetype)
  -- (Neovim 0.7 lists a client on the buffer only once it is initialized.)
  wait_for("the server to start and answer initialize (a plan-lsp client on the buffer)", function()
    return #buf_clients(S.buf) > 0
  end)
  local attached = buf_clients(S.buf)
  check(#attached == 1, "%d clients attached to the plan buffer, expected 1", #attached)
  S.client_id = attached[1].id
  wait_for("the server to answer initialize", function()
    local c = vim.lsp.get_client_by_id(S.client_id)
    return c and c.initialized
  end)
  S.client = vim.lsp.get_client_by_id(S.client_id)
  check(S.client.name == "plan-lsp", "client name %q", S.client.name)
  check(realpath(S.client.config.root_dir) == S.root, "root_dir %s, expected %s", S.client.config.root_dir, S.root)
  S.enc = S.client.offset_encoding or "utf-16"
  local caps = S.client.server_capabilities or S.client.resolved_capabilities or {}
  S.pull = caps.diagnosticProvider ~= nil
  out("    client %d, root %s, encoding %s, diagnostics %s", S.client_id, S.root, S.enc, S.pull and "pulled" or "pushed")
  -- A second FileType event must not start or attach a second client.
  vim.cmd("setlocal filetype=markdown")
  check(#buf_clients(S.buf) == 1, "a repeated FileType event attached another client")
end)

-- code, line pattern, expected text under the range (nil: not checked), severity
local EXPECTED = {
  { "invalid-date", "^## Date: 2026%-02%-30", "2026-02-30" },
  { "invalid-value", "Data Classification: SECRET", "SECRET" }, -- inside the box: UTF-16 vs bytes
  { "high-risk-proceed", "Recommendation: Proceed ", "Proceed", vim.diagnostic.severity.INFO }, -- from settings
  { "plaintext-secret", "^%- Secrets: AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE" },
  { "non-canonical-value", "^%- Provider: aws$", "aws" },
  { "invalid-value", "^%- Strategy: Sideways$", "Sideways", vim.diagnostic.severity.ERROR },
  { "missing-section", "^## Monitoring$", nil },
  { "invalid-url", "^%- Endpoint: the load balancer$", "the load balancer" },
  { "unknown-field", "^%- Retention: forever$", "Retention" },
  { "invalid-duration", "^%- Retention: forever$", "forever" },
  { "unknown-field", "^%- Alerts: ", "Alerts" },
  { "invalid-threshold", "^%- Error rate > lots$", "lots" },
}

local function expected_present(bufnr)
  for _, e in ipairs(EXPECTED) do
    if #find_diag(bufnr, e[1], e.lnum) == 0 then
      return false
    end
  end
  return true
end

local function assert_unique(bufnr)
  local seen = {}
  for _, d in ipairs(diags(bufnr)) do
    local key = string.format("%s:%d:%d:%d:%d", tostring(d.code), d.lnum, d.col, d.end_lnum or -1, d.end_col or -1)
    check(not seen[key], "finding reported twice: %s (all: %s)", describe(bufnr, d), summary(bufnr))
    seen[key] = true
  end
end

step("diagnostics from the server: expected codes, lines and ranges, each once", function()
  for _, e in ipairs(EXPECTED) do
    e.lnum = find_line(S.buf, e[2])
  end
  local ok = vim.wait(WAIT_MS, function()
    return next(exited) ~= nil or expected_present(S.buf)
  end, 20)
  if not ok or next(exited) ~= nil then
    local missing = {}
    for _, e in ipairs(EXPECTED) do
      if #find_diag(S.buf, e[1], e.lnum) == 0 then
        table.insert(missing, string.format("%s on line %d", e[1], e.lnum + 1))
      end
    end
    fail(
      "diagnostics missing after %d ms: %s\n    got: %s%s",
      WAIT_MS,
      table.concat(missing, ", "),
      summary(S.buf),
      next(exited) and "\n    (the server exited)" or ""
    )
  end
  -- Let any second copy (a push and a pull, two clients) arrive before counting.
  vim.wait(1000, function()
    return false
  end)
  for _, e in ipairs(EXPECTED) do
    local found = find_diag(S.buf, e[1], e.lnum)
    check(#found == 1, "%s on line %d reported %d times: %s", e[1], e.lnum + 1, #found, summary(S.buf))
    local d = found[1]
    if e[3] then
      check(range_text(S.buf, d) == e[3], "%s on line %d covers %q, expected %q", e[1], e.lnum + 1, range_text(S.buf, d), e[3])
    end
    if e[4] then
      check(d.severity == e[4], "%s on line %d has severity %s, expected %s", e[1], e.lnum + 1, d.severity, e[4])
    end
    check(d.source == "plan-lsp", "%s has source %q", e[1], tostring(d.source))
  end
  check(#find_diag(S.buf, "unchecked-item") == 0, "unchecked-item is reported although settings turned it off")
  assert_unique(S.buf)
  if not S.pull then
    local r = reports[vim.uri_from_bufnr(S.buf)]
    check(r and r.version ~= nil, "publishDiagnostics carried no document version")
  end
  S.initial = #diags(S.buf)
  out("    %d findings: %s", S.initial, summary(S.buf))
end)

step("type a fix (Strategy: Sideways -> Canary): that finding goes, the others stay", function()
  local lnum = find_line(S.buf, "^%- Strategy: Sideways$")
  local col = line_text(S.buf, lnum):find("Sideways", 1, true) - 1
  vim.api.nvim_set_current_buf(S.buf)
  vim.api.nvim_win_set_cursor(0, { lnum + 1, col })
  -- Typed in normal and insert mode, so that Neovim computes the
  -- incremental didChange itself.
  local keys = vim.api.nvim_replace_termcodes("cwCanary<Esc>", true, false, true)
  vim.api.nvim_feedkeys(keys, "xt", false)
  check(line_text(S.buf, lnum) == "- Strategy: Canary", "the line reads %q after typing", line_text(S.buf, lnum))
  wait_for("the invalid-value finding on the Strategy line to go away", function()
    return #find_diag(S.buf, "invalid-value", lnum) == 0
  end)
  vim.wait(500, function()
    return false
  end)
  for _, e in ipairs(EXPECTED) do
    if e.lnum ~= lnum then
      check(#find_diag(S.buf, e[1], e.lnum) == 1, "%s on line %d disappeared or doubled after an unrelated edit: %s", e[1], e.lnum + 1, summary(S.buf))
    end
  end
  check(#diags(S.buf) == S.initial - 1, "%d findings after the fix, expected %d: %s", #diags(S.buf), S.initial - 1, summary(S.buf))
  assert_unique(S.buf)
  if not S.pull then
    local r = reports[vim.uri_from_bufnr(S.buf)]
    local version = vim.lsp.util.buf_versions[S.buf]
    check(r and r.version == version, "last publishDiagnostics version %s, buffer version %s", tostring(r and r.version), tostring(version))
  end
  S.strategy_lnum = lnum
end)

step("completion after `- Strategy: ` offers Blue-Green, Canary, Rolling", function()
  local lnum = S.strategy_lnum
  local col = #"- Strategy: "
  local result = request(S.buf, "textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(S.buf) },
    position = lsp_position(S.buf, lnum, col, S.enc),
    context = { triggerKind = 1 },
  })
  check(result ~= nil, "completion returned null")
  local items = result.items or result
  local labels = {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
  for _, want in ipairs({ "Blue-Green", "Canary", "Rolling" }) do
    check(contains(labels, want), "completion lacks %q; got: %s", want, table.concat(labels, ", "))
  end
  out("    items: %s", table.concat(labels, ", "))
end)

step("hover on the Strategy value explains it", function()
  local lnum = S.strategy_lnum
  local result = request(S.buf, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(S.buf) },
    position = lsp_position(S.buf, lnum, #"- Strategy: " + 1, S.enc),
  })
  check(result and result.contents, "hover on `Canary` returned nothing")
  local text = table.concat(vim.lsp.util.convert_input_to_markdown_lines(result.contents), "\n")
  check(text:lower():find("canary", 1, true), "hover on `Canary` does not mention it: %q", text)
end)

step("code action quick fix on `- Provider: aws` -> `AWS`", function()
  local lnum = find_line(S.buf, "^%- Provider: aws$")
  local found = find_diag(S.buf, "non-canonical-value", lnum)
  check(#found == 1, "no non-canonical-value finding on line %d: %s", lnum + 1, summary(S.buf))
  local d = found[1]
  local lsp_diag = to_lsp(S.buf, d, S.enc)
  local actions = request(S.buf, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(S.buf) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag } },
  })
  check(type(actions) == "table" and #actions > 0, "no code actions on line %d", lnum + 1)
  local titles, chosen = {}, nil
  for _, a in ipairs(actions) do
    table.insert(titles, string.format("%s [%s]", a.title, tostring(a.kind)))
    if not chosen and a.kind == "quickfix" and a.title:find("AWS", 1, true) then
      chosen = a
    end
  end
  check(chosen, "no quickfix mentioning AWS among: %s", table.concat(titles, "; "))
  out("    applying %q (of %s)", chosen.title, table.concat(titles, "; "))
  check(chosen.edit, "the quick fix %q has no WorkspaceEdit", chosen.title)
  local linked = false
  for _, ld in ipairs(chosen.diagnostics or {}) do
    if ld.code == "non-canonical-value" then
      linked = true
    end
  end
  check(linked, "the quick fix %q is not linked to its diagnostic", chosen.title)
  -- apply_workspace_edit(edit, encoding) from 0.7.2 on; 0.7.0 takes only
  -- the edit and ignores the extra argument.
  vim.lsp.util.apply_workspace_edit(chosen.edit, S.enc)
  check(line_text(S.buf, lnum) == "- Provider: AWS", "after the fix the line reads %q", line_text(S.buf, lnum))
  wait_for("the non-canonical-value finding to go away after the fix", function()
    return #find_diag(S.buf, "non-canonical-value", lnum) == 0
  end)
  check(#diags(S.buf) == S.initial - 2, "%d findings after two fixes, expected %d: %s", #diags(S.buf), S.initial - 2, summary(S.buf))
  assert_unique(S.buf)
end)

step("changed settings reach the server (didChangeConfiguration)", function()
  local a = find_line(S.buf, "^%- %[ %] Dependencies updated")
  local b = find_line(S.buf, "^%- %[ %] Rollback tested")
  S.plugin.set_settings({ rules = { ["unchecked-item"] = "warning" } })
  wait_for("unchecked-item findings once the rule is turned back on", function()
    return #find_diag(S.buf, "unchecked-item", a) == 1 and #find_diag(S.buf, "unchecked-item", b) == 1
  end)
  assert_unique(S.buf)
end)

step(":PlanLspFixAll applies the safe fixes, as `plan-lsp fix` does", function()
  vim.api.nvim_set_current_buf(S.buf)
  -- Make a fixable finding first (an edit through the API this time).
  local lnum = find_line(S.buf, "^%- Platform: GitHub Actions$")
  local col = #"- Platform: "
  vim.api.nvim_buf_set_text(S.buf, lnum, col, lnum, col + #"GitHub Actions", { "github actions" })
  wait_for("non-canonical-value on `- Platform: github actions`", function()
    return #find_diag(S.buf, "non-canonical-value", lnum) == 1
  end)
  local before_lines = lines_of(S.buf)
  local before = table.concat(before_lines, "\n") .. "\n"
  local findings = #diags(S.buf)
  -- What the command line makes of the same text.
  local copy = S.root .. "/docs/cli-fix.md"
  write_file(copy, before)
  local output = vim.fn.system({ SERVER, "fix", copy })
  -- Exit 1 only says that findings remain.
  check(vim.v.shell_error <= 1, "`plan-lsp fix` failed (%d): %s", vim.v.shell_error, output)
  local expected = read_file(copy)
  os.remove(copy)
  check(expected ~= before, "`plan-lsp fix` changed nothing; the test needs a plan with safe fixes")

  vim.cmd("PlanLspFixAll")
  local after = table.concat(lines_of(S.buf), "\n") .. "\n"
  if after ~= expected then
    local diff = vim.diff and vim.diff(expected, after) or ("expected:\n" .. expected .. "\ngot:\n" .. after)
    fail("the buffer after :PlanLspFixAll differs from `plan-lsp fix` (- CLI, + editor):\n%s", diff)
  end
  wait_for("fewer findings after the fixes", function()
    return #diags(S.buf) < findings
  end)
  vim.wait(300, function()
    return false
  end)
  assert_unique(S.buf)
  out("    %d -> %d findings: %s", findings, #diags(S.buf), summary(S.buf))
end)

step("a second Markdown file in the same root reuses the client and gets nothing", function()
  vim.cmd("edit " .. vim.fn.fnameescape(S.notes))
  local buf = vim.api.nvim_get_current_buf()
  wait_for("the client to attach to notes.md", function()
    return #buf_clients(buf) > 0
  end)
  local attached = buf_clients(buf)
  check(#attached == 1 and attached[1].id == S.client_id, "notes.md got client %s, expected the plan's client %d", tostring(attached[1] and attached[1].id), S.client_id)
  vim.wait(1000, function()
    return #diags(buf) > 0
  end)
  check(#diags(buf) == 0, "a document that is not a plan got findings: %s", summary(buf))
end)

step("a plan under another root gets its own client and no findings when clean", function()
  vim.cmd("edit " .. vim.fn.fnameescape(S.clean))
  local buf = vim.api.nvim_get_current_buf()
  wait_for("a client on the clean plan", function()
    return #buf_clients(buf) > 0
  end)
  local c = buf_clients(buf)[1]
  check(c.id ~= S.client_id, "the plan under %s reused the client of %s", S.other_root, S.root)
  check(realpath(c.config.root_dir) == S.other_root, "root_dir %s, expected %s", c.config.root_dir, S.other_root)
  wait_for("a diagnostics report for the clean plan", function()
    return reports[vim.uri_from_bufnr(buf)] ~= nil
  end)
  vim.wait(300, function()
    return false
  end)
  check(#diags(buf) == 0, "the clean example plan has findings: %s", summary(buf))
end)

---------------------------------------------------------------------------
-- run

local function stop_clients()
  S.stopping = true
  H.stop_clients()
end

local function main()
  local v = vim.version()
  out("nvim e2e: Neovim %d.%d.%d, server %s", v.major, v.minor, v.patch, SERVER)
  local t0 = uv.hrtime()
  for i, s in ipairs(steps) do
    out("[%d/%d] %s", i, #steps, s.name)
    local t = uv.hrtime()
    local ok, err = xpcall(s.fn, function(e)
      if getmetatable(e) == Failure then
        return e
      end
      return { msg = tostring(e) .. "\n" .. debug.traceback() }
    end)
    if not ok then
      out("\nnvim e2e: FAIL in step %d (%s):\n    %s", i, s.name, err.msg)
      out("nvim-e2e: %d passed, 1 failed, %d skipped", i - 1, #steps - i)
      return false
    end
    out("    ok (%.2fs)", (uv.hrtime() - t) / 1e9)
  end
  out("nvim-e2e: %d passed, 0 failed", #steps)
  out("nvim e2e: PASS, %d steps in %.1fs", #steps, (uv.hrtime() - t0) / 1e9)
  return true
end

local ok, passed = pcall(main)
if not ok then
  out("\nnvim e2e: FAIL: %s", tostring(passed))
  passed = false
end
pcall(stop_clients)
if passed then
  vim.cmd("qall!")
else
  vim.cmd("cquit 1")
end
