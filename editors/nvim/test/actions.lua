-- End-to-end tests of the deploy / rollback actions (SPEC §11) as a user
-- runs them, against the real server, in headless Neovim (0.7 and 0.11):
-- `:PlanDeploy`, `:PlanRollback`, `:PlanCancel`, `:PlanOutput` typed
-- through nvim_input; the server's confirmation answered through a
-- vim.ui.select stub (the user's picker) that records the prompt and the
-- choices; the progress the user sees (vim.notify, the command line,
-- require("plan_lsp").status()); the output buffer; status.md's Deployment
-- State as the server writes it (through workspace/applyEdit).
--
-- Each step has a workspace of its own (ROOT/NN-name with .plan-lsp.toml,
-- docs/deployment.md, maybe status.md), so a server of its own. The
-- configured commands are `sh -c SCRIPT`; they leave files behind (markers,
-- pids, the environment they saw) that the steps check.
--
-- Run through test/run.sh (PLAN_LSP_SERVER, PLAN_LSP_PLUGIN, PLAN_LSP_REPO,
-- PLAN_LSP_TMP, PLAN_LSP_E2E_SCRIPT set); PLAN_LSP_E2E_ONLY runs the steps
-- whose name contains it.

local H = dofile(vim.fn.fnamemodify(vim.env.PLAN_LSP_E2E_SCRIPT, ":h") .. "/helpers.lua")
local out, fail, check = H.out, H.fail, H.check
local uv = vim.loop or vim.uv

local SERVER = H.env("PLAN_LSP_SERVER")
local PLUGIN = H.env("PLAN_LSP_PLUGIN")
local REPO = H.env("PLAN_LSP_REPO")
local TMP = H.env("PLAN_LSP_TMP")
local SUITE = "actions"

local S = {
  notes = {}, -- vim.notify calls
  menus = {}, -- vim.ui.select calls: { prompt, titles, kind }
  answer = nil, -- the title the next vim.ui.select picks; nil: dismissed
  prompts = {}, -- inputlist calls (Neovim's own prompt: must not happen)
  echoes = {}, -- nvim_echo texts (the command line)
}

---------------------------------------------------------------------------
-- the user's Neovim

vim.opt.runtimepath:prepend(PLUGIN)
vim.cmd("filetype plugin indent on")
vim.o.hidden = true
vim.o.columns = 200

vim.notify = function(msg, level)
  table.insert(S.notes, { msg = tostring(msg), level = level })
  out("    notify(%s): %s", tostring(level), (tostring(msg):gsub("\n", "\\n")))
end

-- The user's picker (telescope, dressing, ...): answers later, from the
-- event loop, as a picker does.
vim.ui.select = function(items, opts, on_choice)
  opts = opts or {}
  local titles = {}
  for i, item in ipairs(items) do
    titles[i] = tostring(opts.format_item and opts.format_item(item) or item)
  end
  table.insert(S.menus, { kind = opts.kind, prompt = tostring(opts.prompt), titles = titles })
  -- S.answer: a title, or a list of titles for the next menus in turn
  local answer = S.answer
  if type(answer) == "table" then
    answer = table.remove(answer, 1)
  end
  local idx
  for i, t in ipairs(titles) do
    if t == answer then
      idx = i
    end
  end
  out("    select: %q\n      %s -> %s", tostring(opts.prompt), table.concat(titles, " | "), idx and titles[idx] or "(dismissed)")
  vim.defer_fn(function()
    if idx then
      on_choice(items[idx], idx)
    else
      on_choice(nil, nil)
    end
  end, 50)
end

-- Neovim's own prompt for window/showMessageRequest would wait for the
-- keyboard; the plugin must not use it.
vim.fn.inputlist = function(list)
  table.insert(S.prompts, list)
  out("    inputlist (unexpected): %s", table.concat(list, " | "))
  return 0
end

-- The command line (headless Neovim would print it to stderr).
local real_echo = vim.api.nvim_echo
vim.api.nvim_echo = function(chunks, history, opts)
  local parts = {}
  for _, c in ipairs(chunks or {}) do
    table.insert(parts, tostring(c[1]))
  end
  local text = table.concat(parts)
  table.insert(S.echoes, text)
  out("    echo: %s", text)
  if history then
    return real_echo(chunks, history, opts or {})
  end
end

local ROOT = H.realpath(TMP) .. "/actions"
vim.fn.mkdir(ROOT .. "/.git", "p")
vim.fn.chdir(ROOT)

-- PLAN_LSP_E2E_LSP_LOG=debug: Neovim's LSP log (lsp.log under
-- XDG_STATE_HOME / XDG_CACHE_HOME) gets every message
if vim.env.PLAN_LSP_E2E_LSP_LOG and vim.env.PLAN_LSP_E2E_LSP_LOG ~= "" then
  vim.lsp.set_log_level(vim.env.PLAN_LSP_E2E_LSP_LOG)
end

local plugin = require("plan_lsp")
plugin.setup({
  cmd = { SERVER },
  on_exit = function(code, signal, client_id)
    if not S.stopping then
      H.exited[client_id] = { code = code, signal = signal }
    end
  end,
})

---------------------------------------------------------------------------
-- helpers

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function our_client(bufnr)
  for _, c in ipairs(plugin.clients()) do
    if vim.lsp.buf_is_attached(bufnr, c.id) then
      return c
    end
  end
  return nil
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  H.wait_for("plan-lsp to attach to " .. path, function()
    local c = our_client(buf)
    return c and c.initialized ~= false and c.server_capabilities ~= nil and vim.bo[buf].omnifunc == "v:lua.vim.lsp.omnifunc"
  end, H.WAIT_MS)
  return buf
end

local function toml_string(s)
  return '"' .. s:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

-- `[deploy]` / `[rollback]` tables running `sh -c SCRIPT`.
local function toml(deploy_script, rollback_script)
  local parts = { "# written by editors/nvim/test/actions.lua" }
  if deploy_script then
    table.insert(parts, "[deploy]")
    table.insert(parts, "command = [\"sh\", \"-c\", " .. toml_string(deploy_script) .. "]")
  end
  if rollback_script then
    table.insert(parts, "[rollback]")
    table.insert(parts, "command = [\"sh\", \"-c\", " .. toml_string(rollback_script) .. "]")
  end
  return table.concat(parts, "\n") .. "\n"
end

local function notes_since(n)
  local list = {}
  for k = n + 1, #S.notes do
    table.insert(list, S.notes[k])
  end
  return list
end

local function notes_text(list)
  local parts = {}
  for _, n in ipairs(list) do
    table.insert(parts, string.format("[%s] %s", tostring(n.level), n.msg))
  end
  return #parts > 0 and table.concat(parts, " / ") or "(none)"
end

local function find_note(list, level, needle)
  for _, n in ipairs(list) do
    if (level == nil or n.level == level) and n.msg:find(needle, 1, true) then
      return n
    end
  end
  return nil
end

-- The plans: the production example (clean), approved once through
-- :PlanApprove; each step writes a copy.
local APPROVED
local function approved_plan()
  if APPROVED then
    return APPROVED
  end
  local dir = ROOT .. "/00-approve"
  H.write_file(dir .. "/.plan-lsp.toml", "# no commands\n")
  local plan = dir .. "/docs/deployment.md"
  local text = H.read_file(REPO .. "/examples/production/docs/deployment.md")
  H.write_file(plan, text)
  local buf = open(plan)
  if not text:find("Approved:", 1, true) then
    H.keys(":PlanApprove<CR>")
    H.wait_for("`Approved:` in the plan after :PlanApprove", function()
      return H.bytes(buf):find("Approved: ", 1, true) ~= nil
    end, H.WAIT_MS, function()
      return notes_text(S.notes)
    end)
    H.sleep(100)
  end
  APPROVED = H.bytes(buf)
  vim.cmd("silent! bwipeout!")
  return APPROVED
end

local STATUS_BEFORE = table.concat({
  "# Project status",
  "",
  "## Deployment State",
  "- Environment: production",
  "- Last Deploy: 2026-11-26T09:30:00Z",
  "- Status: deployed",
  "- Version: v2.14.0",
  "",
  "## Monitoring State",
  "- Health Check: https://api.example.com/healthz",
  "- Dashboard: https://grafana.example.com/d/deploy",
  "",
}, "\n")

local case_n = 0
-- A workspace: { dir, plan, status, toml }; opts: deploy, rollback
-- (scripts), plan (text), status (status.md text, absent when nil).
local function workspace(name, opts)
  case_n = case_n + 1
  local dir = string.format("%s/%02d-%s", ROOT, case_n, name)
  local w = { dir = dir, plan = dir .. "/docs/deployment.md", status = dir .. "/status.md" }
  w.toml = toml(opts.deploy, opts.rollback)
  H.write_file(dir .. "/.plan-lsp.toml", w.toml)
  H.write_file(w.plan, opts.plan or approved_plan())
  if opts.status then
    H.write_file(w.status, opts.status)
  end
  w.status_before = opts.status
  return w
end

-- status.md as the editor has it: its buffer when loaded (the server edits
-- it through workspace/applyEdit), else the file.
local function status_text(w)
  local b = vim.fn.bufnr(w.status)
  if b > 0 and vim.api.nvim_buf_is_loaded(b) then
    return H.bytes(b), b
  end
  if exists(w.status) then
    return H.read_file(w.status), nil
  end
  return nil
end

-- The lines of the `## Deployment State` section (heading included).
local function state_lines(text)
  local lines, inside = {}, false
  for _, l in ipairs(H.split_lines(text or "")) do
    if l:match("^## ") then
      inside = l == "## Deployment State"
    end
    if inside and l ~= "" then
      table.insert(lines, l)
    end
  end
  return lines
end

-- Everything but the Deployment State section.
local function other_lines(text)
  local lines, inside = {}, false
  for _, l in ipairs(H.split_lines(text or "")) do
    if l:match("^## ") then
      inside = l == "## Deployment State"
    end
    if not inside then
      table.insert(lines, l)
    end
  end
  return table.concat(lines, "\n")
end

-- Waits until status.md (its buffer) has changed since `before` (default:
-- the text the workspace started with) and says `Status: <status>`.
local function wait_status(w, status, before)
  before = before or w.status_before
  H.wait_for("status.md's Deployment State to be written with `Status: " .. status .. "`", function()
    local t = status_text(w)
    return t ~= nil and t ~= before and H.contains(state_lines(t), "- Status: " .. status)
  end, H.WAIT_MS, function()
    local t = status_text(w)
    return "status.md: " .. (t and ("\n" .. t) or "(absent)") .. "\n    notifications: " .. notes_text(S.notes)
  end)
end

-- RFC 3339 date-time -> seconds since the epoch (UTC), or nil.
local function rfc3339(s)
  local y, mo, d, h, mi, sec, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)(.*)$")
  if not y then
    return nil
  end
  local frac, zone = rest:match("^(%.?%d*)(.*)$")
  if frac ~= "" and not frac:match("^%.%d+$") then
    return nil
  end
  local offset
  if zone == "Z" then
    offset = 0
  else
    local sign, oh, om = zone:match("^([+-])(%d%d):(%d%d)$")
    if not sign then
      return nil
    end
    offset = (tonumber(oh) * 3600 + tonumber(om) * 60) * (sign == "-" and -1 or 1)
  end
  -- days since the epoch (proleptic Gregorian)
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  local yy = mo <= 2 and y - 1 or y
  local era = math.floor(yy / 400)
  local yoe = yy - era * 400
  local mp = (mo + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec) - offset
end

-- Checks the Deployment State section: exactly these lines (any order; the
-- Last Deploy an RFC 3339 time within the last ten minutes); the rest of
-- status.md as it was.
local function check_state(w, status, version, t0)
  local text = status_text(w)
  local got = state_lines(text)
  local want = {
    { "^## Deployment State$", "## Deployment State" },
    { "^%- Environment: production$", "- Environment: production" },
    { "^%- Last Deploy: (.+)$", "- Last Deploy: <RFC 3339, now>" },
    { "^%- Status: " .. vim.pesc(status) .. "$", "- Status: " .. status },
    version and { "^%- Version: " .. vim.pesc(version) .. "$", "- Version: " .. version } or { "^%- Version: %S.*$", "- Version: <any>" },
  }
  local detail = "Deployment State:\n      " .. table.concat(got, "\n      ")
  check(#got == #want, "the Deployment State has %d lines, expected %d (%s)\n    %s", #got, #want, table.concat(vim.tbl_map(function(x)
    return x[2]
  end, want), "; "), detail)
  for _, pat in ipairs(want) do
    local n = 0
    for _, l in ipairs(got) do
      local m = l:match(pat[1])
      if m then
        n = n + 1
        if pat[2]:find("RFC 3339", 1, true) then
          local t = rfc3339(m)
          check(t ~= nil, "Last Deploy %q is not an RFC 3339 date-time\n    %s", m, detail)
          local now = os.time()
          check(t >= t0 - 5 and t <= now + 5, "Last Deploy %q is not the time of the deploy (now %s UTC)\n    %s", m, os.date("!%Y-%m-%dT%H:%M:%SZ", now), detail)
        end
      end
    end
    check(n == 1, "%d lines match %q\n    %s", n, pat[2], detail)
  end
  if w.status_before then
    check(other_lines(text) == other_lines(w.status_before), "status.md changed outside its Deployment State:\n%s", H.diff(w.status_before, text))
  end
end

-- Types `:Cmd<CR>`, the picker answering `answer`; waits for the server's
-- answer to the command (started / refused).
local function run_command(cmd, name, answer)
  S.answer = answer
  plugin.last_result = nil
  H.keys(":" .. cmd .. "<CR>")
  H.wait_for(cmd .. "'s answer from the server", function()
    return plugin.last_result ~= nil and plugin.last_result.command == name
  end, H.WAIT_MS, function()
    return "notifications: " .. notes_text(S.notes)
  end)
  return plugin.last_result.result
end

-- Waits for the server's question after menus[before]; checks its choices.
local function wait_question(before, titles)
  H.wait_for("the server's question (window/showMessageRequest) in vim.ui.select", function()
    return #S.menus > before
  end, H.WAIT_MS, function()
    return "notifications: " .. notes_text(S.notes) .. "; inputlist prompts: " .. #S.prompts
  end)
  local m = S.menus[before + 1]
  check(#S.menus == before + 1, "%d questions, expected one", #S.menus - before)
  if titles then
    check(vim.deep_equal(m.titles, titles), "the choices are %s, expected %s", table.concat(m.titles, " | "), table.concat(titles, " | "))
  end
  return m
end

local function check_started(result)
  check(type(result) == "table", "the command returned %s", vim.inspect(result))
  check(not result.refused, "refused: %s", tostring(result.refused))
  check(result.started == true, "the command did not answer { started = true }: %s", vim.inspect(result))
end

local function output_lines()
  local buf = plugin.output({ enter = false })
  return H.lines_of(buf), buf
end

local function alive(pid)
  local f = io.open("/proc/" .. pid .. "/stat", "r")
  if f then
    local stat = f:read("*a") or ""
    f:close()
    local state = stat:match("^%d+ %b() (%a)")
    return state ~= nil and state ~= "Z" and state ~= "X"
  end
  return uv.kill(tonumber(pid), 0) == 0
end

local function read_pid(path)
  if not exists(path) then
    return nil
  end
  return (H.read_file(path):match("%d+"))
end

---------------------------------------------------------------------------
-- steps

local steps = {}
local function step(name, fn)
  if vim.env.PLAN_LSP_E2E_ONLY and vim.env.PLAN_LSP_E2E_ONLY ~= "" and not name:find(vim.env.PLAN_LSP_E2E_ONLY, 1, true) then
    return
  end
  table.insert(steps, { name = name, fn = fn })
end

step("the commands exist: :PlanDeploy, :PlanRollback, :PlanCancel, :PlanOutput", function()
  local w = workspace("commands", {})
  open(w.plan)
  for _, cmd in ipairs({ "PlanShow", "PlanApprove", "PlanDeploy", "PlanRollback", "PlanCancel", "PlanOutput", "PlanLspFixAll" }) do
    check(vim.fn.exists(":" .. cmd) == 2, ":%s is not defined", cmd)
  end
  local c = our_client(vim.api.nvim_get_current_buf())
  local cmds = vim.tbl_get(c.server_capabilities or {}, "executeCommandProvider", "commands") or {}
  for _, name in ipairs({ "plan-lsp.show", "plan-lsp.approve", "plan-lsp.deploy", "plan-lsp.rollback" }) do
    check(H.contains(cmds, name), "the server does not list %s in executeCommandProvider.commands: %s", name, table.concat(cmds, ", "))
  end
  check(vim.tbl_get(c.config.capabilities or {}, "window", "workDoneProgress") == true, "window.workDoneProgress is not advertised")
end)

step("(1) :PlanDeploy on a clean, approved production plan: asks with the argv, Deploy runs it with progress and output, status.md says deployed", function()
  local script = 'echo "deploying $PLAN_ENV"; sleep 0.4; echo "cwd=$(pwd)"; echo "env=$PLAN_ENV strategy=$PLAN_STRATEGY"; echo "file=$PLAN_FILE"; echo "status=$STATUS_FILE"; sleep 0.4; echo "all done"'
  local w = workspace("deploy", { deploy = script })
  open(w.plan)
  local t0 = os.time()
  local menus, notes, echoes = #S.menus, #S.notes, #S.echoes
  local result = run_command("PlanDeploy", "plan-lsp.deploy", "Deploy")
  check_started(result)
  local q = wait_question(menus, { "Deploy", "Cancel" })
  check(q.kind == "plan_lsp_confirm", "the question came through vim.ui.select kind %s, not the plugin's", tostring(q.kind))
  for _, part in ipairs({ "Deploy to production", "sh", "-c", 'echo "deploying $PLAN_ENV"', "PLAN_ENV=production", "PLAN_FILE=", "STATUS_FILE=", w.dir }) do
    check(q.prompt:find(part, 1, true), "the question does not show %q: %q", part, q.prompt)
  end
  wait_status(w, "deployed")
  check_state(w, "deployed", nil, t0)
  -- the outcome (ACTIONS-CONTRACT: Info "plan-lsp: deployed to production
  -- (version …)"; the wording may differ, the level and the facts not)
  H.wait_for("the outcome message (Info, saying deployed, production)", function()
    for _, n in ipairs(notes_since(notes)) do
      if n.level == vim.log.levels.INFO and n.msg:find("deployed", 1, true) and n.msg:find("production", 1, true) and not n.msg:find(":PlanCancel", 1, true) then
        return true
      end
    end
    return false
  end, H.WAIT_MS, function()
    return notes_text(notes_since(notes))
  end)
  local list = notes_since(notes)
  check(find_note(list, vim.log.levels.INFO, "Deploy to production") ~= nil, "no notification that the deploy started: %s", notes_text(list))
  check(find_note(list, vim.log.levels.INFO, ":PlanCancel") ~= nil, "the start notification does not say how to cancel: %s", notes_text(list))
  for _, n in ipairs(list) do
    check(n.level ~= vim.log.levels.ERROR and n.level ~= vim.log.levels.WARN, "unexpected %s", notes_text({ n }))
  end
  -- progress reports (the last output line) in the command line
  local reported = false
  for k = echoes + 1, #S.echoes do
    if S.echoes[k]:find("Deploy to production: ", 1, true) and (S.echoes[k]:find("deploying production", 1, true) or S.echoes[k]:find("all done", 1, true) or S.echoes[k]:find("cwd=", 1, true)) then
      reported = true
    end
  end
  check(reported, "no progress report with an output line reached the command line: %s", table.concat(vim.list_slice(S.echoes, echoes + 1), " / "))
  check(plugin.status() == "", "status() still says %q after the end", plugin.status())
  -- :PlanOutput: the command's output, line by line
  H.keys(":PlanOutput<CR>")
  H.wait_for("the output window", function()
    return vim.b[vim.api.nvim_get_current_buf()].plan_lsp_output == true
  end, H.SHORT_MS)
  local lines = H.lines_of(vim.api.nvim_get_current_buf())
  local text = table.concat(lines, "\n")
  for _, want in ipairs({
    "deploying production",
    "cwd=" .. w.dir,
    "env=production strategy=Blue-Green",
    "file=" .. w.plan,
    "status=" .. w.status,
    "all done",
  }) do
    check(H.contains(lines, want), "the output lacks the line %q:\n%s", want, text)
  end
  check(text:find("Deploy to production", 1, true), "the output has no header for the run:\n%s", text)
  vim.cmd("close")
  check(#S.prompts == 0, "Neovim's own inputlist prompt was used")
  -- the editor writes what the CLI writes: `plan-lsp deploy --yes` in a copy
  local c = workspace("deploy-cli", { deploy = script })
  local cli_out = vim.fn.system({ "env", "-C", c.dir, SERVER, "deploy", "docs/deployment.md", "--yes" })
  check(vim.v.shell_error == 0, "`plan-lsp deploy --yes` failed (%d): %s", vim.v.shell_error, cli_out)
  check(exists(c.status), "`plan-lsp deploy --yes` wrote no status.md: %s", cli_out)
  local function stamp(text)
    return (text:gsub("\n%- Last Deploy: [^\n]*", "\n- Last Deploy: <now>"))
  end
  local cli_text, editor_text = stamp(H.read_file(c.status)), stamp(status_text(w))
  check(cli_text == editor_text, "status.md from the editor differs from the CLI's (- CLI, + editor):\n%s", H.diff(cli_text, editor_text))
end)

step("(2) a failing command (exit 3): status.md says failed, an error says so", function()
  local w = workspace("deploy-fails", { deploy = "echo about to fail; exit 3", status = STATUS_BEFORE })
  open(w.plan)
  local t0 = os.time()
  local menus, notes = #S.menus, #S.notes
  check_started(run_command("PlanDeploy", "plan-lsp.deploy", "Deploy"))
  wait_question(menus, { "Deploy", "Cancel" })
  wait_status(w, "failed")
  check_state(w, "failed", "v2.14.0", t0)
  H.wait_for("an error message", function()
    return find_note(notes_since(notes), vim.log.levels.ERROR, "failed") ~= nil
  end, H.WAIT_MS, function()
    return notes_text(notes_since(notes))
  end)
  local lines = output_lines()
  check(H.contains(lines, "about to fail"), "the output lacks the command's line:\n%s", table.concat(lines, "\n"))
end)

step("(3) Cancel (and a dismissed picker) at the question: nothing runs, status.md unchanged", function()
  local w = workspace("deploy-cancelled", { deploy = "touch ran.marker", status = STATUS_BEFORE })
  local buf = open(w.plan)
  local plan_before = H.bytes(buf)
  for _, answer in ipairs({ "Cancel", false }) do
    local menus, notes = #S.menus, #S.notes
    check_started(run_command("PlanDeploy", "plan-lsp.deploy", answer or nil))
    wait_question(menus, { "Deploy", "Cancel" })
    H.sleep(1000)
    check(not exists(w.dir .. "/ran.marker"), "the command ran after %s", answer and "Cancel" or "a dismissal")
    local text, sb = status_text(w)
    check(text == STATUS_BEFORE, "status.md changed after %s:\n%s", answer and "Cancel" or "a dismissal", H.diff(STATUS_BEFORE, text or ""))
    check(sb == nil or not vim.bo[sb].modified, "status.md's buffer was edited")
    check(H.read_file(w.status) == STATUS_BEFORE, "status.md on disk changed")
    check(H.bytes(buf) == plan_before, "the plan changed")
    local list = notes_since(notes)
    check(find_note(list, nil, ":PlanCancel") == nil, "a deploy started: %s", notes_text(list))
    check(find_note(list, vim.log.levels.ERROR, "") == nil, "an error after the answer: %s", notes_text(list))
  end
end)

step("(4) :PlanRollback: asks, Roll back runs the [rollback] command, status.md says rolledback", function()
  local w = workspace("rollback", {
    deploy = "touch deploy.marker",
    rollback = 'echo rolling back; printf "%s\\n" "$PLAN_ENV" > rollback.env',
    status = STATUS_BEFORE,
  })
  open(w.plan)
  local t0 = os.time()
  local menus = #S.menus
  check_started(run_command("PlanRollback", "plan-lsp.rollback", "Roll back"))
  local q = wait_question(menus, { "Roll back", "Cancel" })
  check(q.prompt:find("rolling back", 1, true), "the question does not show the rollback argv: %q", q.prompt)
  wait_status(w, "rolledback")
  check_state(w, "rolledback", "v2.14.0", t0)
  check(exists(w.dir .. "/rollback.env") and H.read_file(w.dir .. "/rollback.env") == "production\n", "the rollback command did not run in the workspace root with PLAN_ENV=production")
  check(not exists(w.dir .. "/deploy.marker"), "the deploy command ran")
end)

local function lens_titles(buf)
  local titles = {}
  for _, l in ipairs(vim.lsp.codelens.get(buf) or {}) do
    if l.range.start.line == 0 and l.command and l.command.title then
      table.insert(titles, l.command.title)
    end
  end
  table.sort(titles)
  return titles
end

local function wait_lens(buf, prefix)
  local found
  H.wait_for("a code lens over the H1 starting with " .. prefix, function()
    for _, t in ipairs(lens_titles(buf)) do
      if t:sub(1, #prefix) == prefix then
        found = t
        return true
      end
    end
    return false
  end, H.SHORT_MS, function()
    return "lenses over line 1: " .. table.concat(lens_titles(buf), " | ")
  end)
  return found
end

step("the lenses over the H1 say what deploy and rollback will run; running the Deploy lens asks the same question", function()
  local w = workspace("lens", { deploy = "touch ran.marker", rollback = "touch rolled.marker", status = STATUS_BEFORE })
  local buf = open(w.plan)
  local deploy = wait_lens(buf, "Deploy to production: ")
  check(deploy:find("sh -c", 1, true), "the Deploy lens does not show the argv: %q", deploy)
  wait_lens(buf, "Roll back")
  -- the lens, as a user runs it: cursor on the H1, vim.lsp.codelens.run(),
  -- the lens picked from the menu, then Cancel at the server's question
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  local menus = #S.menus
  S.answer = { deploy, "Cancel" }
  vim.lsp.codelens.run()
  H.wait_for("the server's question after the lens", function()
    return #S.menus >= menus + 2
  end, H.WAIT_MS, function()
    return "menus: " .. vim.inspect(vim.list_slice(S.menus, menus + 1))
  end)
  local q = S.menus[menus + 2]
  check(vim.deep_equal(q.titles, { "Deploy", "Cancel" }), "the lens's question offers %s", table.concat(q.titles, " | "))
  check(q.prompt:find("touch ran.marker", 1, true), "the lens's question does not show the argv: %q", q.prompt)
  H.sleep(800)
  check(not exists(w.dir .. "/ran.marker"), "the command ran after Cancel")
  check(status_text(w) == STATUS_BEFORE, "status.md changed after Cancel")
end)

step("(5) :PlanCancel during a long command: the processes are gone, status.md says failed", function()
  local script = 'echo $$ > sh.pid; sleep 30 & echo $! > sleep.pid; echo "started"; wait'
  local w = workspace("deploy-cancel", { deploy = script, status = STATUS_BEFORE })
  open(w.plan)
  local t0 = os.time()
  local menus, notes = #S.menus, #S.notes
  check_started(run_command("PlanDeploy", "plan-lsp.deploy", "Deploy"))
  wait_question(menus, { "Deploy", "Cancel" })
  H.wait_for("the command to start (its pids)", function()
    return read_pid(w.dir .. "/sh.pid") and read_pid(w.dir .. "/sleep.pid")
  end, H.WAIT_MS)
  local sh_pid, sleep_pid = read_pid(w.dir .. "/sh.pid"), read_pid(w.dir .. "/sleep.pid")
  check(alive(sh_pid) and alive(sleep_pid), "the command is not running")
  H.wait_for("status() to show the running deploy", function()
    return plugin.status():find("Deploy to production", 1, true) ~= nil
  end, H.SHORT_MS, function()
    return "status(): " .. plugin.status()
  end)
  -- a second deploy while one runs is refused
  local again = run_command("PlanDeploy", "plan-lsp.deploy", "Deploy")
  check(type(again) == "table" and type(again.refused) == "string" and again.refused:find("already running", 1, true), "a second deploy was not refused as already running: %s", vim.inspect(again))
  H.keys(":PlanCancel<CR>")
  H.wait_for("the command's processes to end (SIGTERM to the process group)", function()
    return not alive(sh_pid) and not alive(sleep_pid)
  end, 5000, function()
    return string.format("sh %s alive: %s, sleep %s alive: %s", sh_pid, tostring(alive(sh_pid)), sleep_pid, tostring(alive(sleep_pid)))
  end)
  wait_status(w, "failed")
  check_state(w, "failed", "v2.14.0", t0)
  H.wait_for("an error message", function()
    return find_note(notes_since(notes), vim.log.levels.ERROR, "") ~= nil
  end, H.WAIT_MS, function()
    return notes_text(notes_since(notes))
  end)
  H.wait_for("status() to clear", function()
    return plugin.status() == ""
  end, H.SHORT_MS, function()
    return "status(): " .. plugin.status()
  end)
  check(#S.menus == menus + 1, "the refused second deploy asked anyway")
end)

step("(6) no command configured: Record deployed / Record failed / Cancel, the choice written", function()
  local w = workspace("record", { status = STATUS_BEFORE })
  open(w.plan)
  local t0 = os.time()
  local menus = #S.menus
  check_started(run_command("PlanDeploy", "plan-lsp.deploy", "Record failed"))
  wait_question(menus, { "Record deployed", "Record failed", "Cancel" })
  wait_status(w, "failed")
  check_state(w, "failed", "v2.14.0", t0)
  -- again, on the edited (unsaved) status.md buffer
  local before = status_text(w)
  menus = #S.menus
  check_started(run_command("PlanRollback", "plan-lsp.rollback", "Record rolledback"))
  wait_question(menus, { "Record rolledback", "Cancel" })
  wait_status(w, "rolledback", before)
  check_state(w, "rolledback", "v2.14.0", t0)
  before = status_text(w)
  menus = #S.menus
  check_started(run_command("PlanDeploy", "plan-lsp.deploy", "Record deployed"))
  wait_question(menus, { "Record deployed", "Record failed", "Cancel" })
  wait_status(w, "deployed", before)
  check_state(w, "deployed", "v2.14.0", t0)
end)

step("(7) a plan with errors: :PlanDeploy refuses, says why, asks nothing, writes nothing", function()
  local template = vim.fn.system({ SERVER, "new", "deployment", "--env", "production" })
  check(vim.v.shell_error == 0, "`plan-lsp new deployment --env production` failed: %s", template)
  local w = workspace("refused", { deploy = "touch ran.marker", plan = template })
  local buf = open(w.plan)
  H.wait_for("the plan's findings", function()
    return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) > 0
  end, H.WAIT_MS)
  local menus, notes = #S.menus, #S.notes
  local result = run_command("PlanDeploy", "plan-lsp.deploy", "Deploy")
  check(type(result) == "table" and type(result.refused) == "string", "deploy did not refuse: %s", vim.inspect(result))
  for _, gate in ipairs({ "error", "approved", "Pre-Deployment" }) do
    check(result.refused:lower():find(gate:lower(), 1, true), "the refusal does not name the gate %q: %q", gate, result.refused)
  end
  H.sleep(800)
  local shown = 0
  for _, n in ipairs(notes_since(notes)) do
    if n.msg:find(result.refused, 1, true) then
      shown = shown + 1
      check(n.level == vim.log.levels.WARN, "the refusal came at level %s", tostring(n.level))
    end
  end
  check(shown == 1, "the refusal was shown %d times: %s", shown, notes_text(notes_since(notes)))
  check(#S.menus == menus, "a refused deploy asked: %q", S.menus[#S.menus] and S.menus[#S.menus].prompt or "")
  check(not exists(w.dir .. "/ran.marker"), "the command ran")
  check(not exists(w.status) and vim.fn.bufnr(w.status) < 0, "status.md was created")
  check(H.bytes(buf) == template, "the plan changed")
  local lens = wait_lens(buf, "Deploy blocked")
  check(lens:lower():find("error", 1, true) and lens:lower():find("approved", 1, true), "the blocked lens does not say why: %q", lens)
end)

step("(8) shell metacharacters in status.md and the plan never run: no PWNED, the values reach the command verbatim", function()
  local plan = approved_plan()
  local rollback_line = "- Rollback: switch the load balancer target group back to blue"
  check(plan:find(rollback_line, 1, true), "the example has no %q", rollback_line)
  plan = plan:gsub(vim.pesc(rollback_line), "- Rollback: switch back to blue $(touch PWNED) `touch PWNED`; touch PWNED", 1)
  local status = STATUS_BEFORE:gsub("%- Version: v2%.14%.0", "- Version: 1.0; touch PWNED", 1)
  local script = 'printf "%s\\n" "$PLAN_VERSION" > version.txt; printf "%s\\n" "$PLAN_STRATEGY" > strategy.txt; echo $PLAN_VERSION'
  local w = workspace("metachar", { deploy = script, plan = plan, status = status })
  open(w.plan)
  local t0 = os.time()
  local menus = #S.menus
  check_started(run_command("PlanDeploy", "plan-lsp.deploy", "Deploy"))
  local q = wait_question(menus, { "Deploy", "Cancel" })
  wait_status(w, "deployed")
  check_state(w, "deployed", "1.0; touch PWNED", t0)
  for _, dir in ipairs({ w.dir, w.dir .. "/docs", ROOT, vim.fn.getcwd() }) do
    check(not exists(dir .. "/PWNED"), "%s/PWNED exists: a document value ran as a command", dir)
  end
  check(exists(w.dir .. "/version.txt"), "the command did not run")
  local got = H.read_file(w.dir .. "/version.txt")
  check(got == "1.0; touch PWNED\n", "PLAN_VERSION reached the command as %q, expected %q", got, "1.0; touch PWNED\n")
  check(q.prompt:find("1.0; touch PWNED", 1, true), "the question does not show PLAN_VERSION's value: %q", q.prompt)
end)

---------------------------------------------------------------------------
-- run

local function before_each()
  S.answer = nil
end

local function after_each()
  -- nothing left running for the next step
  if plugin.status() ~= "" then
    pcall(plugin.cancel)
  end
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    local cfg = vim.api.nvim_win_get_config(win)
    if cfg.relative and cfg.relative ~= "" then
      pcall(vim.api.nvim_win_close, win, true)
    end
  end
  if #vim.api.nvim_list_wins() > 1 then
    vim.cmd("silent! only!")
  end
end

local function stop_clients()
  S.stopping = true
  H.stop_clients()
end

local v = vim.version()
out("nvim %s: Neovim %d.%d.%d, server %s, %d steps", SUITE, v.major, v.minor, v.patch, SERVER, #steps)
H.run(steps, before_each, after_each, function(results, seconds)
  out("nvim-%s: %d passed, %d failed", SUITE, #results.passed, #results.failed)
  for _, name in ipairs(results.failed) do
    out("    failed: %s", name)
  end
  pcall(stop_clients)
  if #results.failed == 0 then
    out("nvim %s: PASS, %d steps in %.1fs", SUITE, #results.passed, seconds)
    vim.cmd("qall!")
  else
    out("nvim %s: FAIL, %d of %d steps failed (%.1fs)", SUITE, #results.failed, #steps, seconds)
    vim.cmd("cquit 1")
  end
end)
