-- End-to-end tests that type as a user types, against the real server, in
-- headless Neovim (0.7 and 0.11): keys go through nvim_input, completion
-- through <C-x><C-o> (or 0.11's autotrigger on a typed trigger character),
-- <C-n> and <C-y>; code actions through vim.lsp.buf.code_action() with
-- vim.ui.select answered by a stub that records the menu; code lenses read
-- with vim.lsp.codelens.get() after they arrive by themselves. Every
-- resulting buffer is compared byte for byte with the expected text: the
-- CLI's (`plan-lsp new deployment [--env production]`, `plan-lsp fix`) or
-- a literal one.
--
-- Run through test/run.sh, with PLAN_LSP_SERVER, PLAN_LSP_PLUGIN,
-- PLAN_LSP_REPO, PLAN_LSP_TMP and PLAN_LSP_E2E_SCRIPT set.
-- PLAN_LSP_E2E_MODE=config (Neovim 0.11+) starts the server through
-- lsp/plan_lsp.lua and vim.lsp.enable instead of setup(), with a user
-- on_attach, and runs the steps marked `config`.
--
-- The steps are independent (each opens its own file); a failing step does
-- not stop the others. Exit status 0 only when every step passes.

local H = dofile(vim.fn.fnamemodify(vim.env.PLAN_LSP_E2E_SCRIPT, ":h") .. "/helpers.lua")
local out, fail, check = H.out, H.fail, H.check
local menu, menu_text, accept, esc, set_cursor, replace_line = H.menu, H.menu_text, H.accept, H.esc, H.set_cursor, H.replace_line

local SERVER = H.env("PLAN_LSP_SERVER")
local PLUGIN = H.env("PLAN_LSP_PLUGIN")
local REPO = H.env("PLAN_LSP_REPO")
local TMP = H.env("PLAN_LSP_TMP")
local MODE = vim.env.PLAN_LSP_E2E_MODE or "setup"
local V011 = H.has("nvim-0.11")
local SUITE = MODE == "config" and "typing (lsp/plan_lsp.lua)" or "typing"

local S = {
  notes = {}, -- vim.notify calls
  menus = {}, -- vim.ui.select calls
  pick = nil, -- the title the next vim.ui.select answers with
  prompts = {}, -- inputlist calls
}

---------------------------------------------------------------------------
-- the user's Neovim

vim.opt.runtimepath:prepend(PLUGIN)
vim.cmd("filetype plugin indent on")
vim.o.completeopt = "menuone,noselect"
vim.o.showmode = false
vim.opt.shortmess:append("c")
vim.o.hidden = true
-- The reporter sees virtual text (0.11 turns it off by default).
vim.diagnostic.config({ virtual_text = true })

vim.notify = function(msg, level)
  table.insert(S.notes, { msg = tostring(msg), level = level })
  out("    notify(%s): %s", tostring(level), (tostring(msg):gsub("\n", "\\n")))
end

vim.ui.select = function(items, opts, on_choice)
  opts = opts or {}
  local titles = {}
  for i, item in ipairs(items) do
    local t = opts.format_item and opts.format_item(item) or tostring(item)
    titles[i] = (tostring(t):gsub(" %[plan[-_]lsp%]$", ""))
  end
  table.insert(S.menus, { kind = opts.kind, prompt = opts.prompt, titles = titles })
  local idx
  if S.pick then
    for i, t in ipairs(titles) do
      if t == S.pick then
        idx = i
        break
      end
    end
  elseif opts.kind ~= "codeaction" and #items > 0 then
    idx = 1 -- a server's question (window/showMessageRequest): the first answer
    out("    select (%s): %s -> %s", tostring(opts.prompt), table.concat(titles, " | "), titles[1])
  end
  vim.schedule(function()
    if idx then
      on_choice(items[idx], idx)
    else
      on_choice(nil, nil)
    end
  end)
end

-- window/showMessageRequest on 0.7 (and outside a coroutine on 0.11)
-- would wait for the keyboard: answer with the first action.
vim.fn.inputlist = function(list)
  table.insert(S.prompts, list)
  out("    inputlist: %s", table.concat(list, " | "))
  return 1
end

local ROOT = H.realpath(TMP) .. "/ws"
vim.fn.mkdir(ROOT .. "/.git", "p")
vim.fn.chdir(ROOT) -- the CLI reads .plan-lsp.toml from here: none, as the editor's root

local plugin = require("plan_lsp")
local user_attached = {}
if MODE == "config" then
  check(V011, "PLAN_LSP_E2E_MODE=config needs Neovim 0.11")
  vim.lsp.config("plan_lsp", {
    cmd = { SERVER },
    -- a user on_attach replaces the file's (vim.lsp.config does not merge
    -- functions): the plugin's behaviour must stay
    on_attach = function(client, bufnr)
      user_attached[bufnr] = client.id
    end,
  })
  vim.lsp.enable("plan_lsp")
else
  plugin.setup({
    cmd = { SERVER },
    on_exit = function(code, signal, client_id)
      if not S.stopping then
        H.exited[client_id] = { code = code, signal = signal }
      end
    end,
  })
end

---------------------------------------------------------------------------
-- helpers

local function cli(args)
  local cmd = { SERVER }
  vim.list_extend(cmd, args)
  local output = vim.fn.system(cmd)
  return output, vim.v.shell_error
end

local TEMPLATES = {}
-- `plan-lsp new deployment`, with `--env ENV` when env is given.
local function template(env)
  local key = env or "-"
  if not TEMPLATES[key] then
    local args = { "new", "deployment" }
    if env then
      vim.list_extend(args, { "--env", env })
    end
    local text, code = cli(args)
    check(code == 0, "`plan-lsp %s` failed (%d): %s", table.concat(args, " "), code, text)
    TEMPLATES[key] = text
  end
  return TEMPLATES[key]
end

-- `plan-lsp fix` on a copy of `text`.
local function cli_fix(text)
  local copy = TMP .. "/cli-fix/docs/deployment.md"
  H.write_file(copy, text)
  local output, code = cli({ "fix", copy })
  check(code <= 1, "`plan-lsp fix` failed (%d): %s", code, output)
  local fixed = H.read_file(copy)
  os.remove(copy)
  return fixed
end

local function our_client(bufnr)
  for _, c in ipairs(plugin.clients()) do
    if vim.lsp.buf_is_attached(bufnr, c.id) then
      return c
    end
  end
  return nil
end

local case_n = 0
local function case_path(name, file)
  case_n = case_n + 1
  return string.format("%s/%02d-%s/%s", ROOT, case_n, name, file or "docs/deployment.md")
end

-- Writes a file, opens it and waits for the server and the plugin's
-- on_attach (omnifunc set).
local function open(path, text)
  if text then
    H.write_file(path, text)
  end
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  H.wait_for("plan-lsp to attach to " .. path, function()
    local c = our_client(buf)
    return c and c.initialized ~= false and vim.bo[buf].omnifunc == "v:lua.vim.lsp.omnifunc"
  end, H.WAIT_MS, function()
    return string.format("clients: %d, omnifunc %q", #plugin.clients(), vim.bo[buf].omnifunc)
  end)
  S.client = our_client(buf)
  return buf
end

local function diags(buf, code, lnum)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if (code == nil or d.code == code) and (lnum == nil or d.lnum == lnum) then
      table.insert(list, d)
    end
  end
  return list
end

local function wait_diags(buf, code, lnum, n)
  H.wait_for(string.format("%s %s finding(s)%s", tostring(n or "some"), code, lnum and (" on line " .. (lnum + 1)) or ""), function()
    local got = #diags(buf, code, lnum)
    if n then
      return got == n
    end
    return got > 0
  end, H.WAIT_MS, function()
    local all = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(all, string.format("%s@%d", tostring(d.code), d.lnum + 1))
    end
    return "findings: " .. table.concat(all, ", ")
  end)
end





-- Waits until the buffer reads `expected` (the server's finishCompletion
-- edit comes a moment after the accept), then that it stays so.
local function expect_buffer(buf, expected, what)
  local ok = H.poll(function()
    return H.bytes(buf) == expected
  end, H.SHORT_MS)
  if not ok then
    fail("%s: the buffer differs from the expected text (- expected, + buffer):\n%s", what, H.diff(expected, H.bytes(buf)))
  end
  H.sleep(300)
  local now = H.bytes(buf)
  if now ~= expected then
    fail("%s: the buffer changed after reaching the expected text (- expected, + buffer):\n%s", what, H.diff(expected, now))
  end
end


-- The code action menu at the cursor: the titles it showed; picks `pick`
-- (a title) or nothing.
local function code_actions(pick)
  local before = #S.menus
  S.pick = pick
  local notes = #S.notes
  vim.lsp.buf.code_action()
  H.wait_for("the code action menu", function()
    return #S.menus > before or #S.notes > notes
  end, H.SHORT_MS)
  S.pick = nil
  check(#S.menus > before, "no code action menu: %s", S.notes[#S.notes] and S.notes[#S.notes].msg or "")
  local m = S.menus[#S.menus]
  out("    code actions: %s", table.concat(m.titles, " | "))
  if pick then
    check(H.contains(m.titles, pick), "the code action menu has no %q: %s", pick, table.concat(m.titles, " | "))
  end
  return m.titles
end

local function no_duplicates(titles)
  local dup = H.duplicates(titles)
  check(#dup == 0, "the menu shows these more than once: %s (menu: %s)", table.concat(dup, "; "), table.concat(titles, " | "))
end

local function lenses(buf)
  local list = {}
  for _, l in ipairs(vim.lsp.codelens.get(buf) or {}) do
    if l.command and l.command.title then
      table.insert(list, { line = l.range.start.line, title = l.command.title })
    end
  end
  table.sort(list, function(a, b)
    if a.line ~= b.line then
      return a.line < b.line
    end
    return a.title < b.title
  end)
  return list
end

local function lens_text(buf)
  local parts = {}
  for _, l in ipairs(lenses(buf)) do
    table.insert(parts, string.format("%d:%s", l.line + 1, l.title))
  end
  return "lenses: " .. (#parts > 0 and table.concat(parts, ", ") or "(none)")
end

local function has_lens(buf, line, title)
  for _, l in ipairs(lenses(buf)) do
    if l.line == line and l.title == title then
      return true
    end
  end
  return false
end

local function wait_lens(buf, line, title, what)
  H.wait_for(string.format("the code lens %q over line %d%s", title, line + 1, what and (" " .. what) or ""), function()
    return has_lens(buf, line, title)
  end, H.SHORT_MS, function()
    return lens_text(buf)
  end)
end

local function snippets()
  local caps = S.client and (S.client.config.capabilities or {}) or {}
  return vim.tbl_get(caps, "textDocument", "completion", "completionItem", "snippetSupport") == true
end

-- The plans the steps start from: `plan-lsp new deployment` (Environment
-- still the `[staging/production]` placeholder), `--env staging`,
-- `--env production`.
local function staging()
  return template(nil)
end

local function staging_env()
  return template("staging")
end

local function production()
  return template("production")
end

-- `text` without the lines for which drop(line) is true.
local function without(text, drop)
  local kept = {}
  for _, l in ipairs(H.split_lines(text)) do
    if not drop(l) then
      table.insert(kept, l)
    end
  end
  return table.concat(kept, "\n") .. "\n"
end

-- The staging template missing three Pre-Deployment items.
local MISSING = { "Security scan clean", "Dependencies updated", "Rollback tested" }
local function missing_three()
  return without(staging(), function(l)
    for _, m in ipairs(MISSING) do
      if l == "- [ ] " .. m then
        return true
      end
    end
    return false
  end)
end

-- A template without one of its `## ` sections (the heading, its body and
-- the blank line after it).
local function without_section(text, heading)
  local kept, skipping = {}, false
  for _, l in ipairs(H.split_lines(text)) do
    if l == heading then
      skipping = true
    elseif skipping and l:match("^## ") then
      skipping = false
    end
    if not skipping then
      table.insert(kept, l)
    end
  end
  return table.concat(kept, "\n") .. "\n"
end

local function without_monitoring()
  return without_section(staging(), "## Monitoring")
end

local function without_record()
  return without_section(production(), "## Decision Validation")
end


local function insert_line(text, before_index, new)
  local lines = H.split_lines(text)
  table.insert(lines, before_index, new)
  return table.concat(lines, "\n") .. "\n"
end

-- A box line with the placeholder replaced by `value`, padded so that the
-- right border stays in its column.
local function box_value(line, placeholder, value)
  local s, e = line:find(placeholder, 1, true)
  check(s, "%q has no %q", line, placeholder)
  return line:sub(1, s - 1) .. value .. string.rep(" ", #placeholder - #value) .. line:sub(e + 1)
end

---------------------------------------------------------------------------
-- steps

local steps = {}
-- opts.only: "plain" (a client without snippets: 0.7) or "snippets" (0.11);
-- opts.config: also run in PLAN_LSP_E2E_MODE=config.
local function step(name, opts, fn)
  if fn == nil then
    fn, opts = opts, {}
  end
  if MODE == "config" and not opts.config then
    return
  end
  if vim.env.PLAN_LSP_E2E_ONLY and vim.env.PLAN_LSP_E2E_ONLY ~= "" and not name:find(vim.env.PLAN_LSP_E2E_ONLY, 1, true) then
    return
  end
  local wants_snippets = V011 -- Neovim's default capabilities
  if opts.only == "plain" and wants_snippets then
    return
  end
  if opts.only == "snippets" and not wants_snippets then
    return
  end
  table.insert(steps, { name = name, fn = fn })
end

local function realpath_eq(a, b)
  return a ~= nil and H.realpath(a) == H.realpath(b)
end

if MODE == "config" then
  step("lsp/plan_lsp.lua + vim.lsp.enable: the plugin's behaviour despite a user on_attach", { config = true }, function()
    local buf = open(case_path("config"), staging())
    local c = S.client
    check(c.name == "plan_lsp", "client name %q, expected plan_lsp", c.name)
    check(user_attached[buf] == c.id, "the user's on_attach did not run")
    check(vim.bo[buf].omnifunc == "v:lua.vim.lsp.omnifunc", "omnifunc %q", vim.bo[buf].omnifunc)
    for _, cmd in ipairs({ "PlanShow", "PlanApprove", "PlanDeploy", "PlanRollback", "PlanCancel", "PlanOutput", "PlanLspFixAll" }) do
      check(vim.fn.exists(":" .. cmd) == 2, ":%s is not defined", cmd)
    end
    local caps = c.config.capabilities or {}
    check(vim.deep_equal(vim.tbl_get(caps, "textDocument", "completion", "completionItem", "documentationFormat"), { "plaintext" }), "completion documentationFormat %s", vim.inspect(vim.tbl_get(caps, "textDocument", "completion", "completionItem", "documentationFormat")))
    check(vim.tbl_get(caps, "workspace", "codeLens", "refreshSupport") == true, "codeLens.refreshSupport not advertised")
    check(c.handlers["workspace/codeLens/refresh"] ~= nil, "no workspace/codeLens/refresh handler")
    for _, method in ipairs({ "window/showMessageRequest", "$/progress", "window/logMessage" }) do
      check(c.handlers[method] ~= nil, "no %s handler", method)
    end
    check(realpath_eq(c.config.root_dir, ROOT), "root_dir %s, expected %s", tostring(c.config.root_dir), ROOT)
  end)
end

-- Row 1: the whole template in an empty docs/deployment.md ---------------

step("row 1 (0.7): <C-x><C-o> in an empty docs/deployment.md offers `# Deployment Plan` and inserts that one line", { only = "plain" }, function()
  local buf = open(case_path("empty-omni"), "")
  H.keys("i<C-x><C-o>")
  accept("# Deployment Plan", { exactly = { "# Deployment Plan" } })
  esc()
  expect_buffer(buf, "# Deployment Plan\n", "accepting `# Deployment Plan`")
end)

step("row 1 (0.7): `#` typed first, then <C-x><C-o>: `# Deployment Plan` replaces the `#`", { only = "plain" }, function()
  local buf = open(case_path("empty-hash-omni"), "")
  H.keys("i#<C-x><C-o>")
  accept("# Deployment Plan")
  esc()
  expect_buffer(buf, "# Deployment Plan\n", "accepting `# Deployment Plan` after a typed `#`")
end)

step("row 1 (0.11): typing `#` in an empty docs/deployment.md (autotrigger), accept `Deployment Plan (production)`", { only = "snippets", config = true }, function()
  local buf = open(case_path("empty-autotrigger"), "")
  H.keys("i#")
  accept("Deployment Plan (production)", {
    offers = { "Deployment Plan (staging)", "Deployment Plan (production)" },
    not_offers = { "Deployment State (status.md)" },
  })
  expect_buffer(buf, production(), "the production template (as `plan-lsp new deployment --env production` prints it)")
  esc()
  expect_buffer(buf, production(), "the production template after <Esc>")
end)

step("row 1 (0.11): <C-x><C-o> in an empty docs/deployment.md, accept `Deployment Plan (staging)`", { only = "snippets" }, function()
  local buf = open(case_path("empty-omni"), "")
  H.keys("i<C-x><C-o>")
  accept("Deployment Plan (staging)", { not_offers = { "Deployment State (status.md)" } })
  esc()
  expect_buffer(buf, staging_env(), "the staging template (as `plan-lsp new deployment --env staging` prints it)")
end)

step("row 1: the code action menu of an empty docs/deployment.md inserts the template", function()
  local buf = open(case_path("empty-action"), "")
  local titles = code_actions(nil)
  no_duplicates(titles)
  for _, want in ipairs({ "Insert deployment plan template (staging)", "Insert deployment plan template (production)" }) do
    check(H.contains(titles, want), "no %q action: %s", want, table.concat(titles, " | "))
  end
  check(not H.contains(titles, "Insert status sections"), "an empty deployment.md is offered the status sections: %s", table.concat(titles, " | "))
  code_actions("Insert deployment plan template (staging)")
  expect_buffer(buf, staging_env(), "after `Insert deployment plan template (staging)` (- `plan-lsp new deployment --env staging`, + buffer)")
end)

-- Row 2: values inside the Decision Validation box -----------------------

local RISK_PH = "[Low|Medium|High]"
local CLASS_PH = "[PUBLIC|INTERNAL|CONFIDENTIAL]"

step("row 2: complete `Risk:` in the box at its placeholder: High, the right border stays", { config = true }, function()
  local text = production()
  local lines = H.split_lines(text)
  local i = H.find(lines, "Risk: " .. RISK_PH)
  local buf = open(case_path("box-risk"), text)
  local commands = plugin.stats.completion_commands
  set_cursor(i, lines[i]:find(RISK_PH, 1, true) - 1)
  if V011 then
    H.keys("i<BS> ") -- retype the space: autotrigger
  else
    H.keys("i<C-x><C-o>")
  end
  accept("High", { offers = { "Low", "Medium", "High" } })
  local expected = replace_line(text, i, box_value(lines[i], RISK_PH, "High"))
  expect_buffer(buf, expected, "the Risk line after accepting High")
  esc()
  -- the item's finishCompletion command: run by the plugin on 0.7, by
  -- Neovim's native completion on 0.11 (not both)
  local want = V011 and 0 or 1
  check(plugin.stats.completion_commands - commands == want, "the plugin ran %d completion command(s), expected %d", plugin.stats.completion_commands - commands, want)
end)

step("row 2: complete `Data Classification:` in the box with <C-x><C-o>: the right border stays", function()
  local text = production()
  local lines = H.split_lines(text)
  local i = H.find(lines, "Data Classification: " .. CLASS_PH)
  local buf = open(case_path("box-class"), text)
  set_cursor(i, lines[i]:find(CLASS_PH, 1, true) - 1)
  H.keys("i<C-x><C-o>")
  local value = V011 and "INTERNAL" or "CONFIDENTIAL"
  accept(value, { offers = { "PUBLIC", "INTERNAL", "CONFIDENTIAL" } })
  local expected = replace_line(text, i, box_value(lines[i], CLASS_PH, value))
  expect_buffer(buf, expected, "the Data Classification line after accepting " .. value)
  esc()
end)

step("row 2: `│   Risk: Hig …│`, <C-x><C-o> after `Hig`: High, the right border stays", function()
  local text = production()
  local lines = H.split_lines(text)
  local i = H.find(lines, "Risk: " .. RISK_PH)
  local hig = box_value(lines[i], RISK_PH, "Hig")
  text = replace_line(text, i, hig)
  local buf = open(case_path("box-hig"), text)
  local s, e = hig:find("Risk: Hig", 1, true)
  set_cursor(i, e) -- on the space after `Hig`
  H.keys("i<C-x><C-o>")
  accept("High")
  local expected = replace_line(text, i, box_value(lines[i], RISK_PH, "High"))
  expect_buffer(buf, expected, "the Risk line after completing `Hig`")
  esc()
end)

step("row 2: typing `Hig` at the placeholder, then <C-x><C-o>: High, the border back in the box's column", function()
  local text = production()
  local lines = H.split_lines(text)
  local i = H.find(lines, "Risk: " .. RISK_PH)
  local buf = open(case_path("box-typed"), text)
  set_cursor(i, lines[i]:find(RISK_PH, 1, true) - 1)
  H.keys("iHig<C-x><C-o>")
  accept("High")
  local expected = replace_line(text, i, box_value(lines[i], RISK_PH, "High"))
  expect_buffer(buf, expected, "the Risk line after typing `Hig` and completing")
  esc()
end)

-- Row 3: `## Environment: ` ----------------------------------------------

local function env_case(name, typed, omni, value, menu_opts)
  local text = staging()
  local lines = H.split_lines(text)
  local i = H.find(lines, "## Environment: ")
  local buf = open(case_path(name), text)
  set_cursor(i, 0)
  H.keys("cc" .. typed .. ((omni or not V011) and "<C-x><C-o>" or ""))
  accept(value, menu_opts or { offers = { "staging", "production" } })
  expect_buffer(buf, replace_line(text, i, "## Environment: " .. value), string.format("after typing %q and accepting %s", typed, value))
  esc()
end

step("row 3: `## Environment: ` with nothing typed offers the environments; production keeps the space", function()
  env_case("env-empty", "## Environment: ", false, "production")
end)

step("row 3: `## Environment: pro` completes to production", function()
  env_case("env-pro", "## Environment: pro", false, "production", { offers = { "production" } })
end)

step("row 3: `## Environment:` (no space yet) completes to `## Environment: staging`", function()
  env_case("env-colon", "## Environment:", false, "staging")
end)

step("`- Strategy: [Blue-Green/Canary/Rolling]`, completing at the placeholder: Canary, the placeholder goes", function()
  local text = production()
  local lines = H.split_lines(text)
  local ph = "[Blue-Green/Canary/Rolling]"
  local i = H.find(lines, "- Strategy: " .. ph)
  local buf = open(case_path("strategy"), text)
  set_cursor(i, lines[i]:find(ph, 1, true) - 1)
  H.keys(V011 and "i<BS> " or "i<C-x><C-o>")
  accept("Canary", { offers = { "Blue-Green", "Canary", "Rolling" } })
  expect_buffer(buf, replace_line(text, i, "- Strategy: Canary"), "after accepting Canary")
  esc()
end)

step("`- ` in `### Production` without a Strategy completes the field", function()
  local text = without(production(), function(l)
    return l == "- Strategy: [Blue-Green/Canary/Rolling]"
  end)
  local lines = H.split_lines(text)
  local i = H.find(lines, "- Steps: [detailed rollout]")
  local buf = open(case_path("field"), text)
  set_cursor(i, 0)
  H.keys("O- " .. (V011 and "" or "<C-x><C-o>"))
  accept("Strategy")
  if snippets() then
    -- the snippet's choice tabstop: Neovim offers the values next
    accept("Canary", { offers = { "Blue-Green", "Canary", "Rolling" } })
    expect_buffer(buf, insert_line(text, i, "- Strategy: Canary"), "after the Strategy snippet and its choice Canary")
  else
    expect_buffer(buf, insert_line(text, i, "- Strategy: "), "after accepting the field Strategy")
  end
  esc()
end)

-- Row 4: headings --------------------------------------------------------

step("row 4: `## ` above `## Rollback Plan` completes the missing `## Monitoring`", { config = true }, function()
  local text = without_monitoring()
  local lines = H.split_lines(text)
  local i = H.find(lines, "## Rollback Plan")
  local buf = open(case_path("heading"), text)
  set_cursor(i, 0)
  H.keys("O## " .. (V011 and "" or "<C-x><C-o>"))
  accept("## Monitoring")
  local expected
  if snippets() then
    -- the section with its body, a blank line before the next heading:
    -- the template again
    expected = staging()
  else
    expected = insert_line(text, i, "## Monitoring")
  end
  expect_buffer(buf, expected, "after accepting `## Monitoring`")
  esc()
end)

step("row 4: `- [` under `### Pre-Deployment` completes a missing checklist item", function()
  local text = missing_three()
  local lines = H.split_lines(text)
  local i = H.find(lines, "- [ ] All tests pass")
  local buf = open(case_path("task"), text)
  set_cursor(i, 0)
  H.keys("o- [" .. (V011 and "" or "<C-x><C-o>"))
  accept("Security scan clean", { offers = MISSING })
  expect_buffer(buf, insert_line(text, i + 1, "- [ ] Security scan clean"), "after accepting `Security scan clean`")
  esc()
end)

-- Row 5: fix all ---------------------------------------------------------

step("row 5: :PlanLspFixAll on a checklist missing three items gives `plan-lsp fix`'s text", { config = true }, function()
  local text = missing_three()
  local expected = cli_fix(text)
  check(expected ~= text, "`plan-lsp fix` changed nothing")
  local buf = open(case_path("fixall-cmd"), text)
  wait_diags(buf, "missing-checklist-item", nil, 3)
  vim.cmd("PlanLspFixAll")
  expect_buffer(buf, expected, ":PlanLspFixAll (- `plan-lsp fix`, + editor)")
end)

step("row 5: `Fix all safe plan-lsp findings` from the code action menu gives `plan-lsp fix`'s text", function()
  local text = missing_three()
  local expected = cli_fix(text)
  local buf = open(case_path("fixall-menu"), text)
  wait_diags(buf, "missing-checklist-item", nil, 3)
  set_cursor(H.find(H.split_lines(text), "### Pre-Deployment"), 0)
  local titles = code_actions("Fix all safe plan-lsp findings")
  no_duplicates(titles)
  expect_buffer(buf, expected, "the fix-all code action (- `plan-lsp fix`, + editor)")
end)

-- Row 6: code lenses -----------------------------------------------------

local function lens_plan(name)
  local text = missing_three()
  local lines = H.split_lines(text)
  local buf = open(case_path(name), text)
  return buf, lines, H.find(lines, "### Pre-Deployment") - 1, H.find(lines, "### Post-Deployment") - 1
end

step("row 6: code lenses arrive on attach, without refresh() from the test", { config = true }, function()
  local buf, _, pre, post = lens_plan("lens-attach")
  local caps = our_client(buf).config.capabilities or {}
  check(vim.tbl_get(caps, "workspace", "codeLens", "refreshSupport") == true, "the plugin does not advertise workspace.codeLens.refreshSupport")
  -- no [deploy] / [rollback] command in this workspace: the actions record
  for _, title in ipairs({ "Show", "Approve", "Record deployment", "Record rollback" }) do
    wait_lens(buf, 0, title, "on attach")
  end
  wait_lens(buf, pre, "Pre-Deployment 0/5 — 3 missing", "on attach")
  wait_lens(buf, post, "Post-Deployment 0/4", "on attach")
end)

step("row 6: code lenses follow edits (normal mode, leaving insert mode, :PlanLspFixAll) and do not go stale", { config = true }, function()
  local buf, lines, pre = lens_plan("lens-edits")
  wait_lens(buf, 0, "Show", "on attach")
  local i = H.find(lines, "- [ ] All tests pass")
  set_cursor(i, 3)
  H.keys("rx")
  check(vim.api.nvim_buf_get_lines(buf, i - 1, i, false)[1] == "- [x] All tests pass", "`rx` did not check the item")
  wait_lens(buf, pre, "Pre-Deployment 1/5 — 3 missing", "after checking an item with `rx`")
  H.keys("o- [ ] Rollback tested<Esc>")
  wait_lens(buf, pre, "Pre-Deployment 1/5 — 2 missing", "after typing an item and <Esc>")
  vim.cmd("PlanLspFixAll")
  wait_lens(buf, pre, "Pre-Deployment 1/5", "after :PlanLspFixAll")
  for _, l in ipairs(lenses(buf)) do
    check(l.line ~= pre or l.title == "Pre-Deployment 1/5", "a stale lens over the checklist: %s", lens_text(buf))
  end
end)

step("row 6: the server's workspace/codeLens/refresh updates the lenses while still typing", { config = true }, function()
  local buf, lines, pre = lens_plan("lens-refresh")
  wait_lens(buf, pre, "Pre-Deployment 0/5 — 3 missing", "on attach")
  local refreshes = plugin.stats.codelens_refresh_requests
  set_cursor(H.find(lines, "- [ ] All tests pass"), 0)
  H.keys("o- [ ] Rollback tested")
  -- no InsertLeave, no TextChanged: only the server's request brings it
  local ok = H.poll(function()
    return has_lens(buf, pre, "Pre-Deployment 0/5 — 2 missing")
  end, H.SHORT_MS)
  local in_insert = H.mode():sub(1, 1) == "i"
  local got = lens_text(buf)
  esc()
  check(in_insert, "left insert mode while waiting")
  check(ok, "while typing (insert mode) the lens did not become \"Pre-Deployment 0/5 — 2 missing\" (%s; workspace/codeLens/refresh requests from the server: %d)", got, plugin.stats.codelens_refresh_requests - refreshes)
  check(plugin.stats.codelens_refresh_requests > refreshes, "the server sent no workspace/codeLens/refresh")
end)

-- Row 7: the quick-fix menu ----------------------------------------------

step("row 7: `Insert Decision Validation record` once in a production plan without the record", function()
  local text = without_record()
  local buf = open(case_path("menu-record"), text)
  wait_diags(buf, "missing-decision-validation")
  local d = diags(buf, "missing-decision-validation")[1]
  set_cursor(d.lnum + 1, d.col)
  local titles = code_actions(nil)
  check(H.count(titles, "Insert Decision Validation record") == 1, "\"Insert Decision Validation record\" shown %d times: %s", H.count(titles, "Insert Decision Validation record"), table.concat(titles, " | "))
  no_duplicates(titles)
end)

step("row 7: `Ignore missing-checklist-item on this line` once for three findings on the line", function()
  local text = missing_three()
  local lines = H.split_lines(text)
  local i = H.find(lines, "### Pre-Deployment")
  local buf = open(case_path("menu-ignore"), text)
  wait_diags(buf, "missing-checklist-item", i - 1, 3)
  set_cursor(i, 0)
  local title = "Ignore missing-checklist-item on this line"
  local titles = code_actions(title)
  check(H.count(titles, title) == 1, "%q shown %d times: %s", title, H.count(titles, title), table.concat(titles, " | "))
  no_duplicates(titles)
  expect_buffer(buf, insert_line(text, i, "<!-- plan-lsp-disable-next-line missing-checklist-item -->"), "after " .. title)
  wait_diags(buf, "missing-checklist-item", nil, 0)
end)

step("row 7: an unchecked item offers `Check …` or `Toggle checklist item`, not both", function()
  local text = production()
  local lines = H.split_lines(text)
  local i = H.find(lines, "- [ ] All tests pass")
  local buf = open(case_path("menu-check"), text)
  wait_diags(buf, "unchecked-item", i - 1, 1)
  set_cursor(i, 6)
  local titles = code_actions(nil)
  no_duplicates(titles)
  local check_title, toggle = nil, H.contains(titles, "Toggle checklist item")
  for _, t in ipairs(titles) do
    if t:find("^Check `") then
      check_title = t
    end
  end
  check(not (check_title and toggle), "both %q and \"Toggle checklist item\" are offered: %s", tostring(check_title), table.concat(titles, " | "))
  local pick = check_title or (toggle and "Toggle checklist item")
  check(pick, "neither `Check …` nor \"Toggle checklist item\" is offered: %s", table.concat(titles, " | "))
  code_actions(pick)
  expect_buffer(buf, replace_line(text, i, "- [x] All tests pass"), "after " .. pick)
end)

-- Commands ---------------------------------------------------------------

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

-- Types `:Cmd<CR>` and waits for the plugin to get the server's answer.
local function run_command(cmd, name)
  plugin.last_result = nil
  local n = #S.notes
  H.keys(":" .. cmd .. "<CR>")
  H.wait_for(cmd .. "'s answer from the server", function()
    return plugin.last_result ~= nil and plugin.last_result.command == name
  end, H.WAIT_MS)
  H.sleep(500) -- the server's showMessage, the edit
  return plugin.last_result.result, notes_since(n)
end

local function summary_float()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    local cfg = vim.api.nvim_win_get_config(win)
    if cfg.relative and cfg.relative ~= "" then
      local b = vim.api.nvim_win_get_buf(win)
      if vim.b[b].plan_lsp_summary then
        return win, b
      end
    end
  end
  return nil
end

local function copy_example(name, with_status)
  local dir = case_path(name, "")
  local plan = dir .. "docs/deployment.md"
  H.write_file(plan, H.read_file(REPO .. "/examples/" .. name .. "/docs/deployment.md"))
  if with_status then
    H.write_file(dir .. "status.md", H.read_file(REPO .. "/examples/" .. name .. "/status.md"))
  end
  return plan, dir .. "status.md"
end

step(":PlanShow shows the whole multi-line summary in a floating window", { config = true }, function()
  local plan = copy_example("staging", true)
  open(plan)
  local result, notes = run_command("PlanShow", "plan-lsp.show")
  check(type(result) == "table", "plan-lsp.show returned %s", vim.inspect(result))
  check(not result.refused, "plan-lsp.show refused: %s", tostring(result.refused))
  check(type(result.text) == "string" and result.text ~= "", "the summary has no `text` field (the full multi-line summary): %s", vim.inspect(result))
  local want = H.split_lines((result.text:gsub("\n+$", "")) .. "\n")
  check(#want > 1, "the summary text is one line: %q", result.text)
  H.wait_for("the summary window", function()
    return summary_float() ~= nil
  end, H.SHORT_MS, function()
    local wins = {}
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      local cfg = vim.api.nvim_win_get_config(w)
      table.insert(wins, string.format("%d:%s:%s", w, cfg.relative, tostring(vim.b[vim.api.nvim_win_get_buf(w)].plan_lsp_summary)))
    end
    return "windows: " .. table.concat(wins, ", ") .. "; summary_window: " .. vim.inspect(plugin.summary_window)
  end)
  local _, fbuf = summary_float()
  local got = H.lines_of(fbuf)
  check(vim.deep_equal(got, want), "the window shows:\n%s\nexpected:\n%s", table.concat(got, "\n"), table.concat(want, "\n"))
  for _, note in ipairs(notes) do
    check(not note.msg:find(want[1], 1, true), "the summary was also sent to vim.notify: %s", note.msg)
  end
end)

step(":PlanApprove on a clean production plan says what it did, once, and records the approval", { config = true }, function()
  local plan = copy_example("production")
  local buf = open(plan)
  local result, notes = run_command("PlanApprove", "plan-lsp.approve")
  check(type(result) == "table", "plan-lsp.approve returned %s", vim.inspect(result))
  check(not result.refused, "approve refused: %s", tostring(result.refused))
  check(type(result.message) == "string" and result.message ~= "", "the approve result has no `message`: %s (notifications: %s)", vim.inspect(result), notes_text(notes))
  local shown = 0
  for _, note in ipairs(notes) do
    if note.msg:find(result.message, 1, true) then
      shown = shown + 1
      check(note.level == vim.log.levels.INFO, "the message came at level %s", tostring(note.level))
    end
  end
  check(shown == 1, "the approve message was shown %d times: %s", shown, notes_text(notes))
  H.wait_for("`Approved:` in the plan", function()
    return H.bytes(buf):find("Approved: ", 1, true) ~= nil
  end, H.SHORT_MS)
end)

step(":PlanApprove on a plan with errors says why it refuses, once", function()
  local buf = open(case_path("approve-refused"), production())
  wait_diags(buf, "placeholder")
  local before = H.bytes(buf)
  local result, notes = run_command("PlanApprove", "plan-lsp.approve")
  check(type(result) == "table" and type(result.refused) == "string", "approve did not refuse: %s", vim.inspect(result))
  local shown = 0
  for _, note in ipairs(notes) do
    if note.msg:find(result.refused, 1, true) then
      shown = shown + 1
      check(note.level == vim.log.levels.WARN, "the refusal came at level %s", tostring(note.level))
    end
  end
  check(shown == 1, "the refusal was shown %d times: %s", shown, notes_text(notes))
  check(H.bytes(buf) == before, "a refused approve changed the plan")
end)

step(":PlanDeploy on the staging example (no [deploy] command) asks what to record, writes status.md, says so once", { config = true }, function()
  local plan, status = copy_example("staging", true)
  open(plan)
  local menus = #S.menus
  local n = #S.notes
  local result, notes = run_command("PlanDeploy", "plan-lsp.deploy")
  check(type(result) == "table", "plan-lsp.deploy returned %s", vim.inspect(result))
  check(not result.refused, "deploy refused: %s", tostring(result.refused))
  check(result.started == true, "plan-lsp.deploy did not answer { started = true }: %s (notifications: %s)", vim.inspect(result), notes_text(notes))
  -- the server's question, through vim.ui.select (the stub picks the first answer)
  H.wait_for("the server's question in vim.ui.select", function()
    return #S.menus > menus
  end, H.SHORT_MS, function()
    return "notifications: " .. notes_text(notes_since(0)) .. "; inputlist prompts: " .. #S.prompts
  end)
  local q = S.menus[menus + 1]
  check(vim.deep_equal(q.titles, { "Record deployed", "Record failed", "Cancel" }), "the question offers %s", table.concat(q.titles, " | "))
  check(q.prompt ~= nil and q.prompt ~= "" and q.prompt ~= "nil", "the question has no prompt")
  H.wait_for("status.md's Deployment State to be written", function()
    local sb = vim.fn.bufnr(status)
    if sb < 0 or not vim.api.nvim_buf_is_loaded(sb) then
      return false
    end
    local t = H.bytes(sb)
    return t:find("## Deployment State\n", 1, true) and t:find("\n%- Last Deploy: %d%d%d%d%-%d%d%-%d%dT") ~= nil and t:find("\n%- Status: deployed\n") ~= nil
  end, H.WAIT_MS, function()
    local sb = vim.fn.bufnr(status)
    return sb >= 0 and H.bytes(sb) or "(status.md not loaded)"
  end)
  H.wait_for("the outcome message", function()
    return #notes_since(n) > 0
  end, H.SHORT_MS)
  H.sleep(300)
  local after = notes_since(n)
  check(#after == 1, "the outcome was said %d times: %s", #after, notes_text(after))
  check(after[1].level == vim.log.levels.INFO, "the outcome came at level %s: %s", tostring(after[1].level), after[1].msg)
  check(#S.prompts == 0, "Neovim's own inputlist prompt asked instead of vim.ui.select")
end)

-- Diagnostics ------------------------------------------------------------

-- The virtual text (kind "text"), virtual lines ("lines") or both (nil)
-- drawn on line lnum.
local function virt_text_on(buf, lnum, kind)
  local parts = {}
  -- vim.diagnostic draws in namespaces of its own (anonymous on 0.7)
  local namespaces = vim.tbl_values(vim.api.nvim_get_namespaces())
  for _, meta in pairs(vim.diagnostic.get_namespaces()) do
    for _, key in ipairs({ "virt_text_ns", "virt_lines_ns" }) do
      local id = meta.user_data and meta.user_data[key]
      if id and not H.contains(namespaces, id) then
        table.insert(namespaces, id)
      end
    end
  end
  for _, ns in ipairs(namespaces) do
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, { lnum, 0 }, { lnum, -1 }, { details = true })) do
      local details = m[4] or {}
      for _, chunk in ipairs(kind ~= "lines" and details.virt_text or {}) do
        table.insert(parts, chunk[1])
      end
      for _, vl in ipairs(kind ~= "text" and details.virt_lines or {}) do
        for _, chunk in ipairs(vl) do
          table.insert(parts, chunk[1])
        end
        table.insert(parts, "\n")
      end
    end
  end
  return table.concat(parts)
end

local function count_plain(s, needle)
  local n, from = 0, 1
  while true do
    local a, b = s:find(needle, from, true)
    if not a then
      return n
    end
    n = n + 1
    from = b + 1
  end
end

local function check_line_display(buf, lnum, expect_codes)
  for _, d in ipairs(diags(buf, nil, lnum)) do
    local suffix = " [" .. tostring(d.code) .. "]"
    check(d.message:sub(-#suffix) == suffix, "the message of %s does not end with %q: %q", tostring(d.code), suffix, d.message)
  end
  local vt = virt_text_on(buf, lnum)
  for code, n in pairs(expect_codes) do
    check(count_plain(vt, "[" .. code .. "]") == n, "the virtual text of line %d shows [%s] %d times, expected %d: %q", lnum + 1, code, count_plain(vt, "[" .. code .. "]"), n, vt)
  end
  -- the float
  set_cursor(lnum + 1, 0)
  local fbuf, fwin = vim.diagnostic.open_float({ scope = "line" })
  check(fbuf, "no diagnostic float on line %d", lnum + 1)
  local ftext = table.concat(H.lines_of(fbuf), "\n")
  pcall(vim.api.nvim_win_close, fwin, true)
  for code, n in pairs(expect_codes) do
    check(count_plain(ftext, "[" .. code .. "]") == n, "the float shows [%s] %d times, expected %d: %q", code, count_plain(ftext, "[" .. code .. "]"), n, ftext)
  end
  -- the location list
  vim.diagnostic.setloclist({ open = false })
  local ltext = {}
  for _, item in ipairs(vim.fn.getloclist(0)) do
    if item.lnum == lnum + 1 then
      table.insert(ltext, item.text)
    end
  end
  local joined = table.concat(ltext, "\n")
  for code, n in pairs(expect_codes) do
    check(count_plain(joined, "[" .. code .. "]") == n, "the location list shows [%s] %d times on line %d, expected %d: %q", code, count_plain(joined, "[" .. code .. "]"), lnum + 1, n, joined)
  end
end

step("diagnostics: two findings on one line, each with its rule code, in the virtual text, the float and the location list", { config = true }, function()
  local text = H.read_file(REPO .. "/examples/defects/docs/deployment.md")
  local lines = H.split_lines(text)
  local i = H.find(lines, "- Retention: forever")
  local buf = open(case_path("defects"), text)
  wait_diags(buf, "invalid-duration", i - 1, 1)
  wait_diags(buf, "unknown-field", i - 1, 1)
  H.sleep(200)
  check_line_display(buf, i - 1, { ["unknown-field"] = 1, ["invalid-duration"] = 1 })
end)

step("diagnostics: three missing-checklist-item findings on one heading, all three shown", function()
  local text = missing_three()
  local i = H.find(H.split_lines(text), "### Pre-Deployment")
  local buf = open(case_path("three"), text)
  wait_diags(buf, "missing-checklist-item", i - 1, 3)
  H.sleep(200)
  check_line_display(buf, i - 1, { ["missing-checklist-item"] = 3 })
  local vt = virt_text_on(buf, i - 1)
  for _, m in ipairs(MISSING) do
    check(vt:find(m, 1, true), "the virtual text does not mention %q: %q", m, vt)
  end
  -- virtual text turned off by the user: off for this server too
  vim.diagnostic.config({ virtual_text = false })
  local off = virt_text_on(buf, i - 1)
  vim.diagnostic.config({ virtual_text = true })
  check(not off:find("[missing-checklist-item]", 1, true), "with virtual_text = false the findings still show: %q", off)
end)

step("completion documentation is plain text (plaintext advertised)", { config = true }, function()
  local text = production()
  local lines = H.split_lines(text)
  local i = H.find(lines, "- Strategy: [Blue-Green/Canary/Rolling]")
  local buf = open(case_path("docs"), text)
  local caps = our_client(buf).config.capabilities or {}
  local formats = vim.tbl_get(caps, "textDocument", "completion", "completionItem", "documentationFormat")
  check(vim.deep_equal(formats, { "plaintext" }), "documentationFormat sent: %s", vim.inspect(formats))
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = i - 1, character = #"- Strategy: " },
  }, H.WAIT_MS)
  local items = {}
  for _, r in pairs(responses or {}) do
    local res = r.result or {}
    vim.list_extend(items, res.items or res)
  end
  check(#items > 0, "no completion items after `- Strategy: `")
  for _, it in ipairs(items) do
    local doc = it.documentation
    if type(doc) == "table" then
      check(doc.kind == "plaintext", "%q has %s documentation", it.label, tostring(doc.kind))
      doc = doc.value
    end
    if type(doc) == "string" then
      check(not doc:find("**", 1, true) and not doc:find("`", 1, true), "%q documentation has Markdown markup: %q", it.label, doc)
    end
  end
end)

-- .plan-lsp.toml ------------------------------------------------------------

local function attached_clients(buf)
  local names = {}
  for _, c in ipairs(vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()) do
    if vim.lsp.buf_is_attached(buf, c.id) then
      table.insert(names, c.name)
    end
  end
  return names
end

local function diag_text(buf)
  local all = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(all, string.format("%s@%d:%d-%d %q", tostring(d.code), d.lnum, d.col, d.end_col or -1, d.message))
  end
  return "diagnostics: " .. (#all > 0 and table.concat(all, ", ") or "(none)")
end

step(".plan-lsp.toml: a misspelt rule code typed in is an invalid-config error at its key, gone once corrected; Cargo.toml gets no server", { config = true }, function()
  local notes = #S.notes
  vim.v.errmsg = ""
  -- A new file in a folder of its own (not the root's configuration, which
  -- the server reads): typed in, never saved.
  local path = case_path("config-file", ".plan-lsp.toml")
  local buf = open(path)
  check(vim.bo[buf].filetype == "toml", "filetype %q, expected toml", vim.bo[buf].filetype)
  check(realpath_eq(S.client.config.root_dir, ROOT), "root_dir %s, expected %s", tostring(S.client.config.root_dir), ROOT)
  if MODE == "config" then
    check(user_attached[buf] == S.client.id, "the user's on_attach did not run for .plan-lsp.toml")
  end
  H.keys('ienv = "staging"<CR>[rules]<CR>placeholdr = "off"')
  esc()
  local bad = 'env = "staging"\n[rules]\nplaceholdr = "off"\n'
  expect_buffer(buf, bad, "the typed .plan-lsp.toml")
  wait_diags(buf, "invalid-config", 2, 1)
  local all = vim.diagnostic.get(buf)
  check(#all == 1, "expected one finding, %s", diag_text(buf))
  local d = all[1]
  check(d.lnum == 2 and d.col == 0 and d.end_lnum == 2 and d.end_col == 18, "the finding is not on `placeholdr = \"off\"` (line 3, columns 0..18): %s", diag_text(buf))
  check(d.severity == vim.diagnostic.severity.ERROR, "severity %s, expected ERROR", tostring(d.severity))
  check(d.message:find('"placeholdr" is not a rule code', 1, true), "message %q", d.message)
  out("    %s", diag_text(buf))
  -- Correct the key as a user would: line 3, before its 10th character.
  H.keys("3G10|ie")
  esc()
  expect_buffer(buf, 'env = "staging"\n[rules]\nplaceholder = "off"\n', "the corrected .plan-lsp.toml")
  H.wait_for("the invalid-config finding to go", function()
    return #vim.diagnostic.get(buf) == 0
  end, H.WAIT_MS, function()
    return diag_text(buf)
  end)
  -- Another TOML file in the same session: no plan-lsp.
  local cargo = case_path("config-file-cargo", "Cargo.toml")
  H.write_file(cargo, '[package]\nname = "demo"\nversion = "0.1.0"\n')
  vim.cmd("edit " .. vim.fn.fnameescape(cargo))
  local cbuf = vim.api.nvim_get_current_buf()
  check(vim.bo[cbuf].filetype == "toml", "Cargo.toml: filetype %q, expected toml", vim.bo[cbuf].filetype)
  H.sleep(1000) -- vim.lsp.enable starts a client a moment after FileType
  local names = attached_clients(cbuf)
  check(#names == 0, "Cargo.toml has client(s) attached: %s", table.concat(names, ", "))
  check(#vim.lsp.get_buffers_by_client_id(S.client.id) > 0 and not vim.lsp.buf_is_attached(cbuf, S.client.id), "Cargo.toml is attached to plan-lsp")
  -- Nothing complained on the way (code lenses, completion on a TOML buffer).
  for i = notes + 1, #S.notes do
    local n = S.notes[i]
    check(not n.level or n.level < vim.log.levels.WARN, "a warning or error was shown: %s", n.msg)
  end
  check(vim.v.errmsg == "", "an error message: %s", vim.v.errmsg)
end)

-- Last: it changes how this server's findings show for the rest of the run.
step("diagnostics (0.11): diagnostics_display = \"lines\" puts every finding on a virtual line", { only = "snippets" }, function()
  plugin.config.diagnostics_display = "lines"
  local text = H.read_file(REPO .. "/examples/defects/docs/deployment.md")
  local i = H.find(H.split_lines(text), "- Retention: forever")
  local buf = open(case_path("defects-lines"), text)
  wait_diags(buf, "invalid-duration", i - 1, 1)
  H.sleep(200)
  check_line_display(buf, i - 1, { ["unknown-field"] = 1, ["invalid-duration"] = 1 })
  local lines_text = virt_text_on(buf, i - 1, "lines")
  for _, code in ipairs({ "unknown-field", "invalid-duration" }) do
    check(lines_text:find("[" .. code .. "]", 1, true), "no virtual line shows [%s]: %q", code, lines_text)
  end
  local vt = virt_text_on(buf, i - 1, "text")
  check(not vt:find("[unknown-field]", 1, true), "the findings are in the virtual text too: %q", vt)
end)

---------------------------------------------------------------------------
-- run

local function before_each()
  S.pick = nil
end

local function after_each()
  if H.mode() ~= "n" then
    H.keys("<C-e><Esc>")
    H.poll(function()
      return H.mode() == "n"
    end, 2000)
  end
  if V011 and vim.snippet and vim.snippet.active and vim.snippet.active() then
    vim.snippet.stop()
  end
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    local cfg = vim.api.nvim_win_get_config(win)
    if cfg.relative and cfg.relative ~= "" then
      pcall(vim.api.nvim_win_close, win, true)
    end
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
