-- End-to-end test of a document kind read from a team template
-- (`[[kinds]]` in .plan-lsp.toml, docs/templates.md), typed as a user types
-- it against the real server in headless Neovim (0.7 and 0.11): keys go
-- through nvim_input, completion through <C-x><C-o> on 0.7 and 0.11's
-- autotrigger on a typed trigger character, <C-n> and <C-y>; the code
-- action through vim.lsp.buf.code_action() with vim.ui.select answered by
-- a stub that records the menu.
--
-- The workspace: a .plan-lsp.toml naming the postmortem kind
-- (tests/fixtures/templates/postmortem.md, for postmortems/**/*.md).
--
--   1. an empty postmortems/new.md, `# Inc` typed. 0.11: the item
--      `Incident Postmortem (template)` accepted, the buffer is byte for
--      byte what `plan-lsp new postmortem` prints in the workspace. 0.7 (a
--      client without snippets): the server offers only the heading
--      `# Incident Postmortem`, as it does for the deployment kind
--      (typing.lua's row 1), and that line is what goes in;
--   2. in that buffer the `[SEV1|SEV2|SEV3]` placeholder replaced by typing,
--      SEV2 completed after `Severity: `: `## Severity: SEV2`;
--   3. postmortems/db.md edited to `## Severity: SEV4` and without its
--      `## Timeline`: invalid-value on the Severity line, missing-section
--      naming Timeline;
--   4. the code action for the missing section: `## Timeline` and its step
--      back in the buffer, the missing-section finding gone.
--
-- Run through test/run.sh, with PLAN_LSP_SERVER, PLAN_LSP_PLUGIN,
-- PLAN_LSP_REPO, PLAN_LSP_TMP and PLAN_LSP_E2E_SCRIPT set. Steps 2 and 4
-- go on in the buffer of steps 1 and 3; when there is none (0.7's step 1,
-- or a failed step) they start from a file of their own. Exit status 0
-- only when every step passes.

local H = dofile(vim.fn.fnamemodify(vim.env.PLAN_LSP_E2E_SCRIPT, ":h") .. "/helpers.lua")
local out, fail, check = H.out, H.fail, H.check
local menu, menu_text, accept, esc, set_cursor, replace_line = H.menu, H.menu_text, H.accept, H.esc, H.set_cursor, H.replace_line

local SERVER = H.env("PLAN_LSP_SERVER")
local PLUGIN = H.env("PLAN_LSP_PLUGIN")
local REPO = H.env("PLAN_LSP_REPO")
local TMP = H.env("PLAN_LSP_TMP")
local V011 = H.has("nvim-0.11")
local SUITE = "templates"

local S = {
  notes = {}, -- vim.notify calls
  menus = {}, -- vim.ui.select calls
  pick = nil, -- the title (or a predicate on titles) the next vim.ui.select answers with
}

---------------------------------------------------------------------------
-- the workspace

local ROOT = H.realpath(TMP) .. "/templates-ws"
local CONFIG = table.concat({
  "[[kinds]]",
  'name = "postmortem"',
  'template = "templates/postmortem.md"',
  'include = ["postmortems/**/*.md"]',
  "",
}, "\n")
H.write_file(ROOT .. "/.plan-lsp.toml", CONFIG)
H.write_file(ROOT .. "/templates/postmortem.md", H.read_file(REPO .. "/tests/fixtures/templates/postmortem.md"))
vim.fn.mkdir(ROOT .. "/postmortems", "p")
vim.fn.chdir(ROOT) -- the CLI reads this .plan-lsp.toml

---------------------------------------------------------------------------
-- the user's Neovim

vim.opt.runtimepath:prepend(PLUGIN)
vim.cmd("filetype plugin indent on")
vim.o.completeopt = "menuone,noselect"
vim.o.showmode = false
vim.opt.shortmess:append("c")
vim.o.hidden = true
vim.o.report = 10000 -- no "3 fewer lines" in the output
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
  for i, t in ipairs(titles) do
    if (type(S.pick) == "function" and S.pick(t)) or t == S.pick then
      idx = i
      break
    end
  end
  if not S.pick and opts.kind ~= "codeaction" and #items > 0 then
    idx = 1 -- a server's question (window/showMessageRequest): the first answer
  end
  if idx then
    S.picked = titles[idx]
  end
  vim.schedule(function()
    if idx then
      on_choice(items[idx], idx)
    else
      on_choice(nil, nil)
    end
  end)
end

-- window/showMessageRequest on 0.7 would wait for the keyboard.
vim.fn.inputlist = function(list)
  out("    inputlist: %s", table.concat(list, " | "))
  return 1
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

-- `plan-lsp new postmortem`, run in the workspace.
local function cli_new()
  if not S.new_text then
    local text = vim.fn.system({ SERVER, "new", "postmortem" })
    check(vim.v.shell_error == 0, "`plan-lsp new postmortem` failed (%d): %s", vim.v.shell_error, text)
    check(text:find("## Severity: [SEV1|SEV2|SEV3]\n", 1, true), "`plan-lsp new postmortem` has no `## Severity: [SEV1|SEV2|SEV3]` line:\n%s", text)
    S.new_text = text
  end
  return S.new_text
end

local function our_client(bufnr)
  for _, c in ipairs(plugin.clients()) do
    if vim.lsp.buf_is_attached(bufnr, c.id) then
      return c
    end
  end
  return nil
end

-- Writes a file (when text is given), opens it and waits for the server and
-- the plugin's on_attach (omnifunc set).
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
  local c = our_client(buf)
  check(H.realpath(c.config.root_dir) == ROOT, "root_dir %s, expected the workspace %s", tostring(c.config.root_dir), ROOT)
  return buf
end





-- Waits until the buffer reads `expected` (the lines as `:write` puts them
-- on disk), then that it stays so.
local function expect_buffer(buf, expected, what)
  if not H.poll(function()
    return H.bytes(buf) == expected
  end, H.SHORT_MS) then
    fail("%s: the buffer differs from the expected text (- expected, + buffer):\n%s", what, H.diff(expected, H.bytes(buf)))
  end
  H.sleep(300)
  local now = H.bytes(buf)
  if now ~= expected then
    fail("%s: the buffer changed after reaching the expected text (- expected, + buffer):\n%s", what, H.diff(expected, now))
  end
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

local function diag_text(buf)
  local all = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(all, string.format("%s@%d %q", tostring(d.code), d.lnum, d.message))
  end
  return "diagnostics (0-based lines): " .. (#all > 0 and table.concat(all, ", ") or "(none)")
end

-- Waits for a finding with `code` on 0-based line `lnum` (any line when nil)
-- whose message contains `says` (when given); returns it.
local function wait_diag(buf, code, lnum, says)
  local found
  H.wait_for(string.format("a %s finding%s%s", code, lnum and (" on line " .. lnum .. " (0-based)") or "", says and (" naming " .. says) or ""), function()
    for _, d in ipairs(diags(buf, code, lnum)) do
      if not says or d.message:find(says, 1, true) then
        found = d
        return true
      end
    end
    return false
  end, H.WAIT_MS, function()
    return diag_text(buf)
  end)
  return found
end

-- The code action menu at the cursor; answers with the first title for
-- which pick(title) is true. Returns the titles shown and the one picked.
local function code_action(pick)
  local before, notes = #S.menus, #S.notes
  S.pick, S.picked = pick, nil
  vim.lsp.buf.code_action()
  H.wait_for("the code action menu", function()
    return #S.menus > before or #S.notes > notes
  end, H.SHORT_MS)
  S.pick = nil
  check(#S.menus > before, "no code action menu: %s", S.notes[#S.notes] and S.notes[#S.notes].msg or "")
  local m = S.menus[#S.menus]
  out("    code actions: %s", table.concat(m.titles, " | "))
  check(S.picked, "no code action matches: %s", table.concat(m.titles, " | "))
  out("    picked: %s", S.picked)
  return m.titles, S.picked
end


---------------------------------------------------------------------------
-- steps

local steps = {}
local function step(name, fn)
  table.insert(steps, { name = name, fn = fn })
end

local TEMPLATE_ITEM = "Incident Postmortem (template)"
local SEVERITY_PH = "## Severity: [SEV1|SEV2|SEV3]"

if V011 then
  step(string.format("postmortems/new.md (0.11): `# Inc` typed (autotrigger), `%s` accepted: the buffer is `plan-lsp new postmortem`", TEMPLATE_ITEM), function()
    local expected = cli_new()
    local buf = open(ROOT .. "/postmortems/new.md", "")
    -- `#` and the space are trigger characters: the menu opens as they are
    -- typed and narrows with `Inc`
    H.keys("i# Inc")
    accept(TEMPLATE_ITEM, { exactly = { TEMPLATE_ITEM } })
    esc()
    -- the item's text ends without the template's last line break (it ends
    -- the empty buffer's only line); H.bytes adds the file's final NL
    expect_buffer(buf, expected, "the template accepted (- `plan-lsp new postmortem`, + buffer)")
    S.template_buf = buf
  end)
else
  -- A client without snippets is offered the heading that declares each
  -- kind, not the whole template (src/ide/completion.rs, templates()): as
  -- for the deployment kind in typing.lua's row 1 (0.7).
  step("postmortems/new.md (0.7): `# Inc` typed, <C-x><C-o> offers only `# Incident Postmortem` and inserts that one line", function()
    local buf = open(ROOT .. "/postmortems/new.md", "")
    H.keys("i# Inc<C-x><C-o>")
    accept("# Incident Postmortem", { exactly = { "# Incident Postmortem" } })
    esc()
    expect_buffer(buf, "# Incident Postmortem\n", "accepting `# Incident Postmortem`")
  end)
end

step("`## Severity: ` and its placeholder retyped: SEV2 completed after `Severity: `, the line is `## Severity: SEV2`", function()
  local text = cli_new()
  -- the buffer the template was completed into; on 0.7 (no whole-template
  -- item) or when that step failed, a file with the CLI's text
  local buf = S.template_buf
  if not (buf and vim.api.nvim_buf_is_valid(buf) and H.bytes(buf) == text) then
    out("    (%s: starting from postmortems/severity.md with `plan-lsp new postmortem`'s text)", V011 and "the template was not completed into postmortems/new.md" or "0.7 completes only the heading")
    buf = open(ROOT .. "/postmortems/severity.md", text)
  else
    vim.api.nvim_set_current_buf(buf)
  end
  local lines = H.split_lines(text)
  local i = H.find(lines, SEVERITY_PH)
  set_cursor(i, #"## Severity:")
  -- `C` from the space after the colon: the placeholder goes, the space is
  -- typed again (0.11's autotrigger; 0.7 asks with <C-x><C-o>)
  H.keys("C " .. (V011 and "" or "<C-x><C-o>"))
  accept("SEV2", { exactly = { "SEV1", "SEV2", "SEV3" } })
  esc()
  check(vim.api.nvim_buf_get_lines(buf, i - 1, i, false)[1] == "## Severity: SEV2", "line %d is %q, expected %q", i, vim.api.nvim_buf_get_lines(buf, i - 1, i, false)[1], "## Severity: SEV2")
  expect_buffer(buf, replace_line(text, i, "## Severity: SEV2"), "after accepting SEV2")
  wait_diag(buf, "placeholder") -- the server has the edit: the other placeholders
  check(#diags(buf, "invalid-value") == 0, "SEV2 is an invalid value: %s", diag_text(buf))
end)

-- postmortems/<name>.md from `plan-lsp new postmortem`, edited by keys:
-- Severity SEV4 typed over the placeholder, the `## Timeline` section
-- (heading, step, blank line) deleted with `3dd`.
local function defective(name)
  local text = cli_new()
  local lines = H.split_lines(text)
  local buf = open(ROOT .. "/postmortems/" .. name, text)
  local sev = H.find(lines, SEVERITY_PH)
  set_cursor(sev, #"## Severity: ")
  H.keys("CSEV4")
  esc()
  local tl = H.find(lines, "## Timeline")
  check(lines[tl + 1] == "1. [First signal]" and lines[tl + 2] == "", "the template's Timeline is not `## Timeline`, `1. [First signal]`, a blank line: %q %q", tostring(lines[tl + 1]), tostring(lines[tl + 2]))
  set_cursor(tl, 0)
  H.keys("3dd")
  local want = {}
  for k, l in ipairs(lines) do
    if k == sev then
      table.insert(want, "## Severity: SEV4")
    elseif k < tl or k > tl + 2 then
      table.insert(want, l)
    end
  end
  local expected = table.concat(want, "\n") .. "\n"
  expect_buffer(buf, expected, "the typed defects")
  return buf, sev - 1, expected
end

step("postmortems/db.md with `## Severity: SEV4` and no `## Timeline`: invalid-value on the Severity line, missing-section for Timeline", function()
  local buf, sev = defective("db.md")
  check(sev == 2, "the Severity line is line %d (0-based), expected 2", sev)
  local d = wait_diag(buf, "invalid-value", sev)
  out("    invalid-value@%d: %s", d.lnum, d.message)
  check(d.message:find("SEV4", 1, true), "the invalid-value message does not name SEV4: %q", d.message)
  local m = wait_diag(buf, "missing-section", nil, "Timeline")
  out("    missing-section@%d: %s", m.lnum, m.message)
  out("    %s", diag_text(buf))
  S.db_buf = buf
end)

step("the code action for the missing `## Timeline`: the section is back, the missing-section finding goes", function()
  local buf, sev_line = S.db_buf, 2
  if buf and vim.api.nvim_buf_is_valid(buf) then
    vim.api.nvim_set_current_buf(buf)
  else
    out("    (no buffer from the previous step: making postmortems/db-action.md)")
    buf, sev_line = defective("db-action.md")
  end
  local d = wait_diag(buf, "missing-section", nil, "Timeline")
  set_cursor(d.lnum + 1, d.col)
  local before = H.bytes(buf)
  code_action(function(title)
    return title:find("Timeline", 1, true) ~= nil
  end)
  H.wait_for("`## Timeline\\n1. [First signal]\\n` in the buffer", function()
    return H.bytes(buf):find("## Timeline\n1. [First signal]\n", 1, true) ~= nil
  end, H.SHORT_MS, function()
    return H.diff(before, H.bytes(buf))
  end)
  out("    the buffer now (- before, + after):\n    %s", (H.diff(before, H.bytes(buf)):gsub("\n", "\n    ")))
  -- where the template has it: the defects' text with the Timeline back
  expect_buffer(buf, replace_line(cli_new(), sev_line + 1, "## Severity: SEV4"), "after the insert action (- the template with SEV4, + buffer)")
  -- the findings of the edited text: the inserted step's placeholder, no
  -- missing-section, the rest still there
  local step_line = H.find(H.lines_of(buf), "1. [First signal]") - 1
  wait_diag(buf, "placeholder", step_line, "First signal")
  H.wait_for("the missing-section finding to go", function()
    return #diags(buf, "missing-section") == 0
  end, H.WAIT_MS, function()
    return diag_text(buf)
  end)
  wait_diag(buf, "invalid-value", sev_line)
  out("    %s", diag_text(buf))
end)

---------------------------------------------------------------------------
-- run

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
end

local function stop_clients()
  S.stopping = true
  H.stop_clients()
end

local v = vim.version()
out("nvim %s: Neovim %d.%d.%d, server %s, %d steps", SUITE, v.major, v.minor, v.patch, SERVER, #steps)
H.run(steps, function()
  S.pick = nil
end, after_each, function(results, seconds)
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
