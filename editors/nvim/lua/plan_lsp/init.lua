-- plan-lsp for Neovim: starts the plan-lsp language server for Markdown
-- buffers (and .plan-lsp.toml, the project configuration). Works on Neovim 0.7 (vim.lsp.start_client + buf_attach_client)
-- and on 0.8 and later (vim.lsp.start); on 0.11 and later the same client
-- configuration is also available as `lsp/plan_lsp.lua` for
-- vim.lsp.config / vim.lsp.enable.
--
--   require("plan_lsp").setup({
--     cmd = { "plan-lsp" },
--     settings = { env = "staging", rules = { placeholder = "warning" } },
--   })
--
-- What the plugin adds to a plain LSP client, on every version:
--   * :PlanShow, :PlanApprove, :PlanDeploy, :PlanRollback (the server's
--     plan-lsp.show / approve / deploy / rollback commands; also what the
--     code lenses over the H1 run), :PlanCancel, :PlanOutput and
--     :PlanLspFixAll;
--   * the server's questions (window/showMessageRequest: "Deploy to
--     production: run ...?") asked through vim.ui.select, so that pickers
--     (telescope, dressing, fzf-lua) ask them;
--   * the progress of a running deploy or rollback ($/progress), its
--     output (window/logMessage) in the :PlanOutput buffer, and
--     :PlanCancel (window/workDoneProgress/cancel);
--   * code lenses, requested on attach, after changes and whenever the server
--     asks (workspace/codeLens/refresh);
--   * completion that inserts what the server means: the omnifunc, the
--     item's command run after accepting on Neovim < 0.11 (the built-in
--     omnifunc does not), native completion with autotrigger on 0.11;
--   * plain-text completion documentation (Neovim's popup shows Markdown raw);
--   * the rule code in every diagnostic message (virtual text, float,
--     location list) and every finding of a line in its virtual text.

local M = {}

local uv = vim.loop or vim.uv

local defaults = {
  -- The server command; `plan-lsp` (no arguments) speaks LSP on stdio.
  cmd = { "plan-lsp" },
  -- The `planLsp` settings table (same keys as .plan-lsp.toml): env,
  -- include, rules, values. Sent as initializationOptions and through
  -- workspace/didChangeConfiguration.
  settings = {},
  -- Filetypes whose buffers get the server. The server itself decides which
  -- Markdown documents are plans; other documents get nothing from it.
  filetypes = { "markdown" },
  -- Also attach to the project configuration, a buffer named
  -- `.plan-lsp.toml` (filetype toml): the server reports what it cannot
  -- read in it (rule `invalid-config`) at the offending key. Other TOML
  -- files (Cargo.toml, ...) never get the server. false: only `filetypes`.
  config_file = true,
  -- Files or directories that mark the workspace root, looked for from the
  -- buffer's directory upwards (the nearest directory holding any of them
  -- wins). Without one, the file's own directory is the root.
  root_markers = { ".plan-lsp.toml", ".git" },
  -- Optional: function(path, bufnr) -> root directory (overrides root_markers).
  root_dir = nil,
  -- Passed through to the client.
  name = "plan-lsp",
  on_attach = nil,
  on_init = nil,
  on_exit = nil,
  capabilities = nil,
  handlers = nil,
  cmd_env = nil,
  flags = nil,
  -- Set to false to start the server only through require("plan_lsp").attach().
  autostart = true,
  -- Set the buffer's 'omnifunc' to the LSP one (when it is empty or the
  -- HTML omnifunc the Markdown ftplugin sets), so that <C-x><C-o> completes.
  omnifunc = true,
  -- Neovim 0.11+: vim.lsp.completion.enable() on attach; `autotrigger`
  -- opens the menu as you type one of the server's trigger characters
  -- (`:`, space, `#`, `[`, `-`). Set native_completion = false when a
  -- completion plugin (nvim-cmp, blink.cmp, ...) does completion.
  native_completion = true,
  autotrigger = true,
  -- Code lenses (Show / Approve / Deploy over the H1, checklist progress):
  -- requested on attach, on BufEnter, InsertLeave and TextChanged (after
  -- `codelens_debounce` ms) and when the server asks. false: never.
  codelens = true,
  codelens_debounce = 200,
  -- How the findings of one line are shown inline:
  --   "joined" - when virtual text is on, it lists every finding of the
  --              line (Neovim's own shows only the last one);
  --   "lines"  - Neovim 0.11+: virtual lines under the line, one per
  --              finding, instead of virtual text (for this server only);
  --   false    - leave vim.diagnostic.config alone.
  diagnostics_display = "joined",
  -- Deploy / rollback progress: true shows the start (vim.notify) and each
  -- output line the server reports (in the command line, not kept in
  -- :messages); false leaves progress to a statusline or a plugin
  -- (fidget.nvim, 0.11's LspProgress / vim.lsp.status()).
  -- require("plan_lsp").status() is the running action, for a statusline.
  progress = true,
  -- Open the :PlanOutput window (without entering it) when a deploy or
  -- rollback starts.
  open_output = false,
  -- Neovim 0.7-0.9 answer a server's question synchronously: how long to
  -- wait (ms) for vim.ui.select to answer before answering "dismissed"
  -- (nothing runs). 0.10 and later wait as long as the picker is open.
  confirm_timeout = 60000,
}

M.config = vim.deepcopy(defaults)

-- root directory -> client id (the 0.7 path keeps one client per root).
local clients_by_root = {}

local function notify(msg, level)
  vim.schedule(function()
    vim.notify("plan-lsp: " .. msg, level or vim.log.levels.WARN)
  end)
end

local warned = {}
local function notify_once(key, msg, level)
  if warned[key] then
    return
  end
  warned[key] = true
  notify(msg, level)
end

local function has(feature)
  return vim.fn.has(feature) == 1
end

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == "directory"
end

local function parent_of(path)
  return vim.fn.fnamemodify(path, ":h")
end

local function join(dir, name)
  if dir:sub(-1) == "/" or dir:sub(-1) == "\\" then
    return dir .. name
  end
  return dir .. "/" .. name
end

local function resolve_buf(bufnr)
  if bufnr == nil or bufnr == 0 then
    return vim.api.nvim_get_current_buf()
  end
  return bufnr
end

--- The workspace root for a file: the nearest directory, from the file's own
--- upwards, that holds one of `markers`; else the file's directory.
---@param path string a file (or directory) path
---@param markers string[]|nil defaults to the configured root_markers
---@return string
function M.find_root(path, markers)
  markers = markers or M.config.root_markers
  path = vim.fn.fnamemodify(path, ":p")
  local start = is_dir(path) and path or parent_of(path)
  start = uv.fs_realpath(start) or start
  if #start > 1 then
    start = start:gsub("[/\\]+$", "")
  end
  local dir = start
  while true do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(join(dir, marker)) then
        return dir
      end
    end
    local parent = parent_of(dir)
    if parent == dir or parent == "" then
      break
    end
    dir = parent
  end
  return start
end

-- The path of a buffer that holds a file on disk (or is meant to), else nil.
local function buffer_path(bufnr)
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or name:match("^%a[%w+.-]*://") then
    return nil
  end
  return name
end

-- The project configuration's file name (the server's config::FILE_NAME).
M.CONFIG_FILE = ".plan-lsp.toml"

local function is_config_file(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  return name ~= "" and vim.fn.fnamemodify(name, ":t") == M.CONFIG_FILE
end

--- Whether plan-lsp belongs in a buffer: one of `filetypes`, or (unless
--- `config_file = false`) a buffer named `.plan-lsp.toml`.
---@param bufnr number|nil default the current buffer
---@return boolean
function M.wants(bufnr)
  bufnr = resolve_buf(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) or not buffer_path(bufnr) then
    return false
  end
  local c = M.config
  if vim.tbl_contains(c.filetypes or {}, vim.bo[bufnr].filetype) then
    return true
  end
  return c.config_file ~= false and is_config_file(bufnr)
end

-- The filetypes whose FileType event may start the server: `filetypes`,
-- plus toml for .plan-lsp.toml (M.wants() decides per buffer).
local function start_filetypes()
  local list = vim.deepcopy(M.config.filetypes or {})
  if M.config.config_file ~= false and not vim.tbl_contains(list, "toml") then
    table.insert(list, "toml")
  end
  return list
end

-- Calls a client method: `client:name(...)` on 0.11 and later, where the
-- dot form is deprecated, `client.name(...)` before.
local function client_call(client, name, ...)
  if has("nvim-0.11") then
    return client[name](client, ...)
  end
  return client[name](...)
end

local function live_client(id)
  local client = id and vim.lsp.get_client_by_id(id)
  if client and not client_call(client, "is_stopped") then
    return client
  end
  return nil
end

local function all_clients()
  return vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
end

-- Clients this plugin configured: started by setup()/attach() (named
-- M.config.name) or through lsp/plan_lsp.lua (named plan_lsp).
local ours = {}
local function is_ours(client)
  return client ~= nil and (ours[client.id] or client.name == M.config.name or client.name == "plan_lsp")
end

--- The running plan-lsp clients.
---@return table[]
function M.clients()
  local result = {}
  for _, client in ipairs(all_clients()) do
    if is_ours(client) then
      table.insert(result, client)
    end
  end
  return result
end

-- The plan-lsp client attached to a buffer, if any.
local function client_for(bufnr)
  for _, client in ipairs(M.clients()) do
    if vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  return nil
end

local function server_caps(client)
  return client.server_capabilities or {}
end

local function deep_merge(base, extra)
  return vim.tbl_deep_extend("force", base or {}, extra)
end

---------------------------------------------------------------------------
-- messages: the server's window/showMessage and the results of the plugin's
-- commands, each shown once

local recent = {} -- normalized text -> time shown (ms)
local inflight = {} -- client id -> number of plan-lsp.* commands awaiting an answer
local held = {} -- client id -> messages held while a command is in flight
-- client id -> time (ms) until which Info messages are the summary that
-- :PlanShow's window shows whole (the server also says it in one line)
local quiet_info = {}

local function now_ms()
  return uv.hrtime() / 1e6
end

local function normalize(text)
  text = tostring(text or "")
  text = text:gsub("^plan%-lsp: ", "")
  text = text:gsub("%s+$", "")
  return text
end

local function seen_recently(text)
  local t = recent[normalize(text)]
  return t ~= nil and now_ms() - t < 5000
end

local function remember(text)
  recent[normalize(text)] = now_ms()
end

local lsp_levels = {
  [1] = vim.log.levels.ERROR,
  [2] = vim.log.levels.WARN,
  [3] = vim.log.levels.INFO,
  [4] = vim.log.levels.DEBUG,
}

local function show_server_message(params, client_id)
  if seen_recently(params.message) then
    return
  end
  if params.type and params.type >= 3 and client_id and (quiet_info[client_id] or 0) > now_ms() then
    return
  end
  remember(params.message)
  local text = tostring(params.message)
  if not text:find("^plan%-lsp") then
    text = "plan-lsp: " .. text
  end
  vim.notify(text, lsp_levels[params.type] or vim.log.levels.INFO)
end

-- Shows a command's result text (message or refusal); the server's own
-- showMessage of the same text (sent alongside) is then left out.
local function announce(text, level)
  remember(text)
  vim.notify("plan-lsp: " .. normalize(text), level)
end

local function release_held(client_id)
  local list = held[client_id] or {}
  held[client_id] = nil
  for _, params in ipairs(list) do
    show_server_message(params, client_id)
  end
end

---------------------------------------------------------------------------
-- diagnostics: the rule code in each message

local function with_codes(diagnostics)
  if type(diagnostics) ~= "table" then
    return diagnostics
  end
  local out = {}
  for i, d in ipairs(diagnostics) do
    local code = d.code
    if code ~= nil and code ~= vim.NIL and type(d.message) == "string" then
      local suffix = " [" .. tostring(code) .. "]"
      if d.message:sub(-#suffix) ~= suffix then
        d = vim.tbl_extend("force", {}, d)
        d.message = d.message .. suffix
      end
    end
    out[i] = d
  end
  return out
end

local function publish_handler(err, result, ctx, config)
  if type(result) == "table" and result.diagnostics then
    result = vim.tbl_extend("force", {}, result)
    result.diagnostics = with_codes(result.diagnostics)
  end
  return vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, config)
end

local function pull_handler(err, result, ctx, config)
  if type(result) == "table" and type(result.items) == "table" then
    result = vim.tbl_extend("force", {}, result)
    result.items = with_codes(result.items)
  end
  return vim.lsp.handlers["textDocument/diagnostic"](err, result, ctx, config)
end

-- virtual_text `format`: every finding of a line carries the messages of
-- all the line's findings (by column), so that the one message Neovim's
-- virtual text shows per line (the last one's) lists them all.
local function joined_format(d)
  if not d.bufnr or not d.namespace or not vim.api.nvim_buf_is_valid(d.bufnr) then
    return d.message
  end
  local same = vim.diagnostic.get(d.bufnr, { namespace = d.namespace, lnum = d.lnum })
  if #same <= 1 then
    return d.message
  end
  table.sort(same, function(a, b)
    if (a.col or 0) ~= (b.col or 0) then
      return (a.col or 0) < (b.col or 0)
    end
    if (a.severity or 0) ~= (b.severity or 0) then
      return (a.severity or 0) < (b.severity or 0)
    end
    return tostring(a.message) < tostring(b.message)
  end)
  local parts = {}
  for _, x in ipairs(same) do
    table.insert(parts, (tostring(x.message):gsub("\n", "  ")))
  end
  return table.concat(parts, "  ·  ")
end

local function diagnostic_namespaces(client)
  local list = { vim.lsp.diagnostic.get_namespace(client.id) }
  if has("nvim-0.10") then
    table.insert(list, vim.lsp.diagnostic.get_namespace(client.id, true))
  end
  return list
end

-- Neovim 0.10+ ends each line of the diagnostic float with ` [code]` by
-- default; the messages of this server end with it already. The same
-- default, without the repetition (other servers' floats do not change).
local float_suffix_set = false
local function float_suffix(d)
  if d.code == nil then
    return ""
  end
  local suffix = string.format(" [%s]", d.code)
  if type(d.message) == "string" and d.message:sub(-#suffix) == suffix then
    return ""
  end
  return suffix
end

local function configure_float()
  if float_suffix_set or not has("nvim-0.10") then
    return
  end
  float_suffix_set = true
  local float = (vim.diagnostic.config() or {}).float
  if float == false or (type(float) == "table" and float.suffix ~= nil) then
    return -- the user's choice
  end
  float = type(float) == "table" and vim.deepcopy(float) or {}
  float.suffix = float_suffix
  vim.diagnostic.config({ float = float })
end

local function configure_display(client)
  configure_float()
  local mode = M.config.diagnostics_display
  if not mode then
    return
  end
  local opts
  if mode == "lines" and has("nvim-0.11") then
    opts = { virtual_text = false, virtual_lines = true }
  else
    -- Resolved at each display from the global setting, so that turning
    -- virtual text off (or changing it) still applies to this server.
    opts = {
      virtual_text = function(namespace, bufnr)
        local vt = (vim.diagnostic.config() or {}).virtual_text
        if type(vt) == "function" then
          vt = vt(namespace, bufnr)
        end
        if not vt then
          return false
        end
        vt = type(vt) == "table" and vt or {}
        if vt.format then
          return vt -- the user formats it already
        end
        vt = vim.deepcopy(vt)
        vt.format = joined_format
        return vt
      end,
    }
  end
  for _, ns in ipairs(diagnostic_namespaces(client)) do
    vim.diagnostic.config(opts, ns)
  end
end

---------------------------------------------------------------------------
-- code lens

local lens_state = {} -- "client:buf" -> { busy, again }
local lens_timers = {} -- buf -> uv timer
-- Counters, for tests and curiosity.
M.stats = { codelens_refresh_requests = 0, codelens_requests = 0, completion_commands = 0 }

local function request_lenses(client, bufnr)
  if not vim.api.nvim_buf_is_loaded(bufnr) or not server_caps(client).codeLensProvider then
    return
  end
  if not vim.lsp.buf_is_attached(bufnr, client.id) then
    return
  end
  local key = client.id .. ":" .. bufnr
  local st = lens_state[key] or {}
  lens_state[key] = st
  if st.busy then
    st.again = true
    return
  end
  st.busy = true
  M.stats.codelens_requests = M.stats.codelens_requests + 1
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  local ok = client_call(client, "request", "textDocument/codeLens", params, function(err, result, ctx)
    st.busy = false
    if result == vim.NIL then
      result = nil
    end
    if not err and vim.api.nvim_buf_is_loaded(bufnr) then
      ctx = vim.tbl_extend("force", ctx or {}, { bufnr = bufnr, client_id = client.id })
      result = result or {}
      if #result == 0 and not has("nvim-0.10") and vim.lsp.codelens.__namespaces then
        -- 0.7-0.9 keep showing the old lenses when none come back.
        vim.api.nvim_buf_clear_namespace(bufnr, vim.lsp.codelens.__namespaces[client.id], 0, -1)
      end
      vim.lsp.codelens.on_codelens(err, result, ctx)
    end
    if st.again then
      st.again = false
      request_lenses(client, bufnr)
    end
  end, bufnr)
  if not ok then
    st.busy = false
  end
end

--- Asks the server for the code lenses of a buffer now (every plan-lsp
--- client attached to it).
---@param bufnr number|nil default the current buffer
function M.refresh_codelens(bufnr)
  bufnr = resolve_buf(bufnr)
  for _, client in ipairs(M.clients()) do
    request_lenses(client, bufnr)
  end
end

local function schedule_lenses(bufnr)
  local timer = lens_timers[bufnr]
  if not timer then
    timer = uv.new_timer()
    lens_timers[bufnr] = timer
  end
  timer:stop()
  timer:start(
    M.config.codelens_debounce or 200,
    0,
    vim.schedule_wrap(function()
      if vim.api.nvim_buf_is_valid(bufnr) then
        M.refresh_codelens(bufnr)
      end
    end)
  )
end

-- workspace/codeLens/refresh: the server's lenses changed.
local function codelens_refresh_handler(_, _, ctx)
  M.stats.codelens_refresh_requests = M.stats.codelens_refresh_requests + 1
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if client and M.config.codelens ~= false then
    vim.schedule(function()
      for _, bufnr in ipairs(vim.lsp.get_buffers_by_client_id(client.id)) do
        request_lenses(client, bufnr)
      end
    end)
  end
  return vim.NIL
end

---------------------------------------------------------------------------
-- commands: plan-lsp.show / approve / deploy

local function execute(bufnr, command, on_result, quiet, extra)
  bufnr = resolve_buf(bufnr)
  local client = client_for(bufnr)
  if not client then
    vim.notify("plan-lsp: the server is not attached to this buffer", vim.log.levels.WARN)
    return false
  end
  local id = client.id
  inflight[id] = (inflight[id] or 0) + 1
  if quiet then
    quiet_info[id] = math.huge
  end
  local params = { command = command, arguments = { vim.uri_from_bufnr(bufnr), extra } }
  -- Sent without a bufnr: Neovim then first sends the pending (debounced,
  -- 150 ms) didChange of every buffer of the client, not only this one's.
  -- The commands read and edit other documents too (status.md): an edit
  -- the server computes from a stale status.md lands in the wrong place.
  local ok = client_call(client, "request", "workspace/executeCommand", params, function(err, result)
    inflight[id] = math.max((inflight[id] or 1) - 1, 0)
    if err then
      announce(string.format("%s failed: %s", command, tostring(err.message or err)), vim.log.levels.ERROR)
    else
      if result == vim.NIL then
        result = nil
      end
      M.last_result = { command = command, result = result }
      on_result(result)
    end
    if quiet then
      quiet_info[id] = now_ms() + 1000
    end
    if inflight[id] == 0 then
      release_held(id)
    end
  end, nil)
  if not ok then
    inflight[id] = math.max((inflight[id] or 1) - 1, 0)
    vim.notify("plan-lsp: could not send " .. command, vim.log.levels.ERROR)
  end
  return ok
end

-- A summary without `text` (older servers): one line per fact.
local function summary_lines(s)
  local lines = {}
  table.insert(lines, string.format("%s plan for %s%s", tostring(s.kind or "?"), tostring(s.env or "?"), s.env_declared == false and " (default)" or ""))
  table.insert(lines, string.format("%s error(s), %s warning(s), %s hint(s)", tostring(s.errors or 0), tostring(s.warnings or 0), tostring((s.hints or 0) + (s.infos or 0))))
  for _, c in ipairs(type(s.checklists) == "table" and s.checklists or {}) do
    if type(c) == "table" then
      table.insert(lines, string.format("%s %s/%s", tostring(c[1] or c.name), tostring(c[2] or c.checked), tostring(c[3] or c.total)))
    end
  end
  if s.ready_for_production then
    table.insert(lines, "Ready for production.")
  elseif type(s.blockers) == "table" then
    table.insert(lines, "Not ready for production: " .. table.concat(s.blockers, "; ") .. ".")
  end
  return lines
end

local function open_summary(lines)
  local buf, win = vim.lsp.util.open_floating_preview(lines, "text", {
    border = "rounded",
    focus_id = "plan_lsp_summary",
    wrap = true,
  })
  if buf and vim.api.nvim_buf_is_valid(buf) then
    vim.b[buf].plan_lsp_summary = true
  end
  M.summary_window = { buf = buf, win = win }
  return buf, win
end

--- plan-lsp.show: the plan's summary (environment, findings, checklist
--- progress, readiness for production), whole, in a floating window.
---@param bufnr number|nil default the current buffer
function M.show(bufnr)
  return execute(bufnr, "plan-lsp.show", function(result)
    if type(result) ~= "table" then
      announce("show: the server sent no summary", vim.log.levels.WARN)
      return
    end
    if result.refused then
      announce(tostring(result.refused), vim.log.levels.WARN)
      return
    end
    local lines
    if type(result.text) == "string" and result.text ~= "" then
      remember(result.text)
      lines = vim.split((result.text:gsub("\n+$", "")), "\n", { plain = true })
    else
      lines = summary_lines(result)
    end
    open_summary(lines)
  end, true)
end

local function report(verb)
  return function(result)
    if type(result) ~= "table" then
      announce(verb .. ": the server sent no result", vim.log.levels.WARN)
    elseif result.refused then
      announce(tostring(result.refused), vim.log.levels.WARN)
    elseif result.started then
      -- deploy / rollback: the server asks for confirmation next, then
      -- reports progress and the outcome itself
      return
    elseif type(result.message) == "string" and result.message ~= "" then
      announce(result.message, vim.log.levels.INFO)
    elseif result.applied then
      announce(verb .. ": done", vim.log.levels.INFO)
    else
      announce(verb .. ": nothing happened", vim.log.levels.WARN)
    end
  end
end

--- plan-lsp.approve: sets the Decision Validation Recommendation from the
--- Risk and records the approval; says what it did or why it refused.
function M.approve(bufnr)
  return execute(bufnr, "plan-lsp.approve", report("approve"))
end

local function action_args(opts)
  if type(opts) == "string" and opts ~= "" then
    opts = { version = opts }
  end
  if type(opts) == "table" and type(opts.version) == "string" and opts.version ~= "" then
    return { version = opts.version }
  end
  return nil
end

--- plan-lsp.deploy: the server checks the gates (or says why it refuses),
--- asks for confirmation (through vim.ui.select), runs the configured
--- [deploy] command with progress and output (or, without one, asks which
--- status to record), and writes status.md's Deployment State.
---@param bufnr number|nil default the current buffer
---@param opts table|string|nil { version = "1.4.2" } (or the version string)
function M.deploy(bufnr, opts)
  return execute(bufnr, "plan-lsp.deploy", report("deploy"), false, action_args(opts))
end

--- plan-lsp.rollback: like deploy, with the [rollback] command; writes
--- Status: rolledback.
---@param bufnr number|nil default the current buffer
---@param opts table|string|nil { version = "1.4.1" } (or the version string)
function M.rollback(bufnr, opts)
  return execute(bufnr, "plan-lsp.rollback", report("rollback"), false, action_args(opts))
end

-- Client-side commands: the code lenses (and any code action) that run
-- plan-lsp.show/approve/deploy show their result like the user commands.
local function client_commands()
  return {
    ["plan-lsp.show"] = function(_, ctx)
      M.show(ctx and ctx.bufnr)
    end,
    ["plan-lsp.approve"] = function(_, ctx)
      M.approve(ctx and ctx.bufnr)
    end,
    ["plan-lsp.deploy"] = function(command, ctx)
      M.deploy(ctx and ctx.bufnr, command and type(command.arguments) == "table" and command.arguments[2] or nil)
    end,
    ["plan-lsp.rollback"] = function(command, ctx)
      M.rollback(ctx and ctx.bufnr, command and type(command.arguments) == "table" and command.arguments[2] or nil)
    end,
  }
end

---------------------------------------------------------------------------
-- deploy / rollback: the server's question, progress, output, cancel

-- window/showMessageRequest: the server's question ("Deploy to production:
-- run `sh -c ...` in /path with PLAN_FILE=...?", Deploy / Cancel) asked
-- with vim.ui.select: the message is the prompt, the action titles the
-- choices. Replies with the chosen action, or vim.NIL when dismissed.
local function message_request_handler(_, params, ctx)
  if type(params) ~= "table" then
    return vim.NIL
  end
  local actions = type(params.actions) == "table" and params.actions or {}
  if #actions == 0 then
    -- a question without answers is a message
    show_server_message(params, ctx and ctx.client_id)
    return vim.NIL
  end
  local opts = {
    prompt = tostring(params.message or ""),
    kind = "plan_lsp_confirm",
    format_item = function(action)
      return (tostring(type(action) == "table" and action.title or action):gsub("\r?\n", " "))
    end,
  }
  local function reply(choice)
    if type(choice) == "table" and choice.title ~= nil then
      return choice
    end
    return vim.NIL
  end

  -- Neovim 0.10 and later call server request handlers in a coroutine: the
  -- answer may come whenever the picker closes.
  local co, is_main = coroutine.running()
  if co and not is_main then
    local answered = false
    vim.ui.select(actions, opts, function(choice)
      if answered then
        return
      end
      answered = true
      -- resume from the main loop, also when the picker answered at once
      vim.schedule(function()
        coroutine.resume(co, choice)
      end)
    end)
    return reply(coroutine.yield())
  end

  -- Neovim 0.7-0.9: the handler's return value is the answer. Neovim's own
  -- vim.ui.select answers at once (a numbered list); other pickers get
  -- `confirm_timeout` ms to answer from the event loop.
  local done, picked = false, nil
  vim.ui.select(actions, opts, function(choice)
    if not done then
      done, picked = true, choice
    end
  end)
  local limit = tonumber(M.config.confirm_timeout) or 60000
  if not done then
    vim.wait(limit, function()
      return done
    end, 20)
  end
  if not done then
    done = true -- a late answer is ignored
    notify(
      string.format(
        "no answer within %g s, so nothing was run: on Neovim before 0.10 a server's question must be answered while Neovim waits, which pickers that read keys (telescope, dressing, ...) cannot do; Neovim's own vim.ui.select can",
        limit / 1000
      ),
      vim.log.levels.WARN
    )
    return vim.NIL
  end
  return reply(picked)
end

-- The output of deploys and rollbacks (window/logMessage, type Log), in a
-- scratch buffer: :PlanOutput.
local OUTPUT_NAME = "plan-lsp://output"
local OUTPUT_MAX_LINES = 10000
local output_buf = nil

local function output_buffer()
  if output_buf and vim.api.nvim_buf_is_valid(output_buf) then
    return output_buf
  end
  local buf = vim.api.nvim_create_buf(false, true) -- unlisted, scratch
  pcall(vim.api.nvim_buf_set_name, buf, OUTPUT_NAME)
  vim.bo[buf].bufhidden = "hide"
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = false
  vim.b[buf].plan_lsp_output = true
  output_buf = buf
  return buf
end

local function append_output(lines)
  if #lines == 0 then
    return
  end
  local buf = output_buffer()
  -- windows showing the last line follow the output
  local following = {}
  local count = vim.api.nvim_buf_line_count(buf)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == buf and vim.api.nvim_win_get_cursor(win)[1] >= count then
      table.insert(following, win)
    end
  end
  local empty = count == 1 and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] == ""
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, empty and 0 or -1, -1, false, lines)
  local total = vim.api.nvim_buf_line_count(buf)
  if total > OUTPUT_MAX_LINES then
    vim.api.nvim_buf_set_lines(buf, 0, total - OUTPUT_MAX_LINES, false, {})
  end
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  total = vim.api.nvim_buf_line_count(buf)
  for _, win in ipairs(following) do
    pcall(vim.api.nvim_win_set_cursor, win, { total, 0 })
  end
end

local function split_text(text)
  text = tostring(text or ""):gsub("\r\n", "\n"):gsub("\n$", "")
  return vim.split(text, "\n", { plain = true })
end

--- Shows the output of deploys and rollbacks (the plan-lsp://output
--- buffer): in its window if one shows it, else in a new split at the
--- bottom. Returns the buffer.
---@param opts table|nil { enter = false }: open without entering it
---@return number bufnr
function M.output(opts)
  opts = opts or {}
  local buf = output_buffer()
  local here = vim.api.nvim_get_current_win()
  local win
  for _, w in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if vim.api.nvim_win_get_buf(w) == buf then
      win = w
      break
    end
  end
  if not win then
    vim.cmd("botright 12split")
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
    vim.wo[win].number = false
    vim.wo[win].wrap = false
  end
  pcall(vim.api.nvim_win_set_cursor, win, { vim.api.nvim_buf_line_count(buf), 0 })
  if opts.enter == false then
    vim.api.nvim_set_current_win(here)
  else
    vim.api.nvim_set_current_win(win)
  end
  return buf
end

local function log_message_handler(err, params, ctx, config)
  if type(params) == "table" and params.type == 4 then
    append_output(split_text(params.message))
  end
  local default = vim.lsp.handlers["window/logMessage"]
  if default then
    return default(err, params, ctx, config)
  end
end

-- Work-done progress: client id -> token -> { title, message, percentage,
-- cancellable }, from `begin` to `end`.
local running = {}

local function progress_text(p)
  local text = tostring(p.title or "plan-lsp")
  if p.message and p.message ~= "" then
    text = text .. ": " .. tostring(p.message)
  end
  if p.percentage then
    text = string.format("%s (%d%%)", text, p.percentage)
  end
  return text
end

--- The running deploy / rollback, for a statusline: e.g. "Deploy to
--- production: step 2 of 3", or "" when nothing runs.
---@return string
function M.status()
  local parts = {}
  for id, tokens in pairs(running) do
    if live_client(id) then
      for _, p in pairs(tokens) do
        table.insert(parts, progress_text(p))
      end
    else
      running[id] = nil
    end
  end
  table.sort(parts)
  return table.concat(parts, ", ")
end

local function echo_progress(text)
  if M.config.progress == false then
    return
  end
  local width = math.max(vim.o.columns - 12, 20)
  if #text > width then
    text = text:sub(1, width - 1) .. "…"
  end
  -- in the command line, not kept in :messages
  vim.api.nvim_echo({ { "plan-lsp: " .. text } }, false, {})
end

local function clock()
  return os.date("%H:%M:%S")
end

local function progress_handler(err, params, ctx, config)
  local default = vim.lsp.handlers["$/progress"]
  if default then
    -- 0.7's errors on a report for an unknown token; ours still runs
    pcall(default, err, params, ctx, config)
  end
  if type(params) ~= "table" or type(params.value) ~= "table" or not ctx then
    return vim.NIL
  end
  local id, token, value = ctx.client_id, params.token, params.value
  running[id] = running[id] or {}
  if value.kind == "begin" then
    local p = {
      title = value.title,
      message = value.message,
      percentage = value.percentage,
      cancellable = value.cancellable == true,
      started = clock(),
    }
    running[id][token] = p
    append_output({ string.format("── %s  %s", p.started, progress_text(p)) })
    if M.config.open_output then
      M.output({ enter = false })
    end
    if M.config.progress ~= false then
      local hint = p.cancellable and " (:PlanCancel stops it; :PlanOutput shows its output)" or " (:PlanOutput shows its output)"
      vim.notify("plan-lsp: " .. progress_text(p) .. hint, vim.log.levels.INFO)
    end
  elseif value.kind == "report" then
    local p = running[id][token]
    if p then
      if value.message ~= nil then
        p.message = value.message
      end
      if value.percentage ~= nil then
        p.percentage = value.percentage
      end
      if value.cancellable ~= nil then
        p.cancellable = value.cancellable == true
      end
      echo_progress(progress_text(p))
    end
  elseif value.kind == "end" then
    local p = running[id][token] or {}
    running[id][token] = nil
    local text = tostring(p.title or "plan-lsp") .. (value.message and (": " .. tostring(value.message)) or ": done")
    append_output({ string.format("── %s  %s", clock(), text) })
    -- the outcome also comes as a message (window/showMessage)
    echo_progress(text)
  end
  pcall(vim.cmd, "redrawstatus")
  return vim.NIL
end

--- Cancels the running deploy / rollback (window/workDoneProgress/cancel):
--- the server stops the command (SIGTERM, then SIGKILL after 10 s) and
--- records Status: failed. Those of the buffer's server first; when it
--- runs none, those of every plan-lsp server.
---@param bufnr number|nil default the current buffer
---@return number how many were cancelled
function M.cancel(bufnr)
  bufnr = resolve_buf(bufnr)
  local function cancel_in(clients)
    local n, uncancellable = 0, 0
    for _, client in ipairs(clients) do
      for token, p in pairs(running[client.id] or {}) do
        if p.cancellable then
          client_call(client, "notify", "window/workDoneProgress/cancel", { token = token })
          n = n + 1
          vim.notify("plan-lsp: cancelling " .. tostring(p.title or "the running action"), vim.log.levels.INFO)
        else
          uncancellable = uncancellable + 1
        end
      end
    end
    return n, uncancellable
  end
  local mine = client_for(bufnr)
  local n, un = 0, 0
  if mine then
    n, un = cancel_in({ mine })
  end
  if n == 0 and un == 0 then
    n, un = cancel_in(M.clients())
  end
  if n == 0 then
    vim.notify(
      un > 0 and "plan-lsp: the running action cannot be cancelled" or "plan-lsp: no deploy or rollback is running",
      vim.log.levels.WARN
    )
  end
  return n
end

---------------------------------------------------------------------------
-- fix all

--- Applies every safe fix the server offers for a buffer (the
--- `source.fixAll.plan-lsp` code action).
---@param bufnr number|nil buffer handle, default the current buffer
---@return boolean true when an edit was applied
function M.fix_all(bufnr)
  bufnr = resolve_buf(bufnr)
  local last = math.max(vim.api.nvim_buf_line_count(bufnr) - 1, 0)
  local last_line = vim.api.nvim_buf_get_lines(bufnr, last, last + 1, false)[1] or ""
  for _, client in ipairs(M.clients()) do
    if vim.lsp.buf_is_attached(bufnr, client.id) then
      local encoding = client.offset_encoding or "utf-16"
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(bufnr) },
        range = {
          start = { line = 0, character = 0 },
          ["end"] = {
            line = last,
            character = vim.lsp.util.character_offset(bufnr, last, #last_line, encoding),
          },
        },
        context = { diagnostics = {}, only = { "source.fixAll.plan-lsp" } },
      }
      local response = client_call(client, "request_sync", "textDocument/codeAction", params, 5000, bufnr)
      if not response then
        notify("fix all: the server did not answer within 5 s", vim.log.levels.ERROR)
        return false
      end
      if response.err then
        notify("fix all failed: " .. tostring(response.err.message or response.err), vim.log.levels.ERROR)
        return false
      end
      for _, action in ipairs(response.result or {}) do
        if action.kind == "source.fixAll.plan-lsp" and action.edit then
          vim.lsp.util.apply_workspace_edit(action.edit, encoding)
          return true
        end
      end
    end
  end
  return false
end

---------------------------------------------------------------------------
-- user commands

local function define_commands()
  local create = vim.api.nvim_create_user_command
  create("PlanLspFixAll", function()
    if not M.fix_all(0) then
      vim.notify("plan-lsp: nothing to fix", vim.log.levels.INFO)
    end
  end, { desc = "Apply every safe plan-lsp fix to this buffer" })
  create("PlanShow", function()
    M.show(0)
  end, { desc = "plan-lsp: show the plan's summary" })
  create("PlanApprove", function()
    M.approve(0)
  end, { desc = "plan-lsp: approve the deployment plan" })
  create("PlanDeploy", function(args)
    M.deploy(0, args.args)
  end, { nargs = "?", desc = "plan-lsp: deploy (run the [deploy] command, or record the deployment) and write status.md; [version]" })
  create("PlanRollback", function(args)
    M.rollback(0, args.args)
  end, { nargs = "?", desc = "plan-lsp: roll back (run the [rollback] command, or record it) and write status.md; [version]" })
  create("PlanCancel", function()
    M.cancel(0)
  end, { desc = "plan-lsp: cancel the running deploy or rollback" })
  create("PlanOutput", function()
    M.output()
  end, { desc = "plan-lsp: show the output of deploys and rollbacks" })
end

---------------------------------------------------------------------------
-- completion

-- Whether Neovim's native completion (0.11+) handles this buffer's
-- CompleteDone itself (it runs the item's command).
local function native_completion_on(bufnr)
  if not has("nvim-0.11") then
    return false
  end
  local ok, list = pcall(vim.api.nvim_get_autocmds, {
    group = string.format("nvim.lsp.completion_%d", bufnr),
    event = "CompleteDone",
  })
  return ok and #list > 0
end

-- Neovim < 0.11 (and 0.11 without native completion): the omnifunc inserts
-- the item's text but does not run its command; run it here, on the
-- plan-lsp client, once the item is in the buffer.
local function on_complete_done(bufnr)
  local item = vim.v.completed_item
  if type(item) ~= "table" or type(item.user_data) ~= "table" then
    return
  end
  local data = type(item.user_data.nvim) == "table" and item.user_data.nvim.lsp or nil
  local ci = type(data) == "table" and data.completion_item or nil
  if type(ci) ~= "table" or type(ci.command) ~= "table" then
    return
  end
  local command = ci.command
  if type(command.command) ~= "string" or not command.command:find("^plan%-lsp%.") then
    return
  end
  local event = vim.v.event
  local reason = type(event) == "table" and event.reason or nil
  if reason == "cancel" then
    return
  end
  if native_completion_on(bufnr) then
    return
  end
  local client = data.client_id and vim.lsp.get_client_by_id(data.client_id) or client_for(bufnr)
  if not is_ours(client) then
    return
  end
  M.stats.completion_commands = M.stats.completion_commands + 1
  client_call(client, "request", "workspace/executeCommand", {
    command = command.command,
    arguments = command.arguments,
  }, function(err)
    if err then
      notify("completion: " .. tostring(err.message or err), vim.log.levels.WARN)
    end
  end, bufnr)
end

---------------------------------------------------------------------------
-- client configuration

--- The capabilities the plugin sends: `base` (default: Neovim's) plus
--- plain-text completion documentation and code lens refresh support.
---@param base table|nil
---@return table
function M.make_capabilities(base)
  local caps = vim.deepcopy(base or vim.lsp.protocol.make_client_capabilities())
  return deep_merge(caps, {
    textDocument = {
      completion = {
        completionItem = {
          -- Neovim's completion popup shows Markdown as raw text.
          documentationFormat = { "plaintext" },
        },
      },
    },
    workspace = {
      codeLens = { refreshSupport = true },
    },
  })
end

local function show_message_handler(_, params, ctx)
  if type(params) ~= "table" then
    return vim.NIL
  end
  local id = ctx and ctx.client_id
  if params.type ~= 1 and id and (inflight[id] or 0) > 0 then
    held[id] = held[id] or {}
    table.insert(held[id], params)
    return vim.NIL
  end
  show_server_message(params, id)
  return vim.NIL
end

--- The client handlers the plugin installs (merged under `user`).
---@param user table|nil
---@return table
function M.make_handlers(user)
  local handlers = {
    ["textDocument/publishDiagnostics"] = publish_handler,
    ["workspace/codeLens/refresh"] = codelens_refresh_handler,
    ["window/showMessage"] = show_message_handler,
    ["window/showMessageRequest"] = message_request_handler,
    ["window/logMessage"] = log_message_handler,
    ["$/progress"] = progress_handler,
  }
  if has("nvim-0.10") then
    handlers["textDocument/diagnostic"] = pull_handler
  end
  return vim.tbl_extend("force", handlers, user or {})
end

M.client_commands = client_commands

local attached = {} -- "client:buf" -> true

--- What the plugin does when its server attaches to a buffer: omnifunc,
--- completion, code lenses, diagnostics display, user commands; then the
--- user's on_attach (from setup()). Runs once per client and buffer; used
--- by setup() and by lsp/plan_lsp.lua.
function M.on_attach(client, bufnr)
  bufnr = resolve_buf(bufnr)
  local key = client.id .. ":" .. bufnr
  if attached[key] then
    return
  end
  attached[key] = true
  ours[client.id] = true
  local c = M.config

  -- Handlers and commands may be missing when a user configuration
  -- replaced them (vim.lsp.config merges tables but replaces functions).
  client.handlers = client.handlers or {}
  for method, fn in pairs(M.make_handlers()) do
    if client.handlers[method] == nil then
      client.handlers[method] = fn
    end
  end
  client.commands = client.commands or {}
  for name, fn in pairs(client_commands()) do
    if client.commands[name] == nil then
      client.commands[name] = fn
    end
  end

  define_commands()

  -- On 0.11 the LSP omnifunc inserts a snippet item's label unless native
  -- completion (which expands it) is on for the buffer.
  local native = has("nvim-0.11") and c.native_completion ~= false and vim.lsp.completion ~= nil
  if c.omnifunc ~= false and (native or not has("nvim-0.11")) then
    local ofu = vim.bo[bufnr].omnifunc
    if ofu == "" or ofu == "htmlcomplete#CompleteTags" then
      vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
    end
  end

  local group = vim.api.nvim_create_augroup("plan_lsp_buf_" .. bufnr, { clear = true })

  if native then
    vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = c.autotrigger ~= false })
  end
  vim.api.nvim_create_autocmd("CompleteDone", {
    group = group,
    buffer = bufnr,
    callback = function()
      on_complete_done(bufnr)
    end,
    desc = "plan-lsp: run the accepted completion item's command",
  })

  if c.codelens ~= false and server_caps(client).codeLensProvider then
    vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "TextChanged" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        schedule_lenses(bufnr)
      end,
      desc = "plan-lsp: refresh the code lenses",
    })
    request_lenses(client, bufnr)
  end

  configure_display(client)

  if c.on_attach then
    c.on_attach(client, bufnr)
  end
end

local function client_config(root)
  local c = M.config
  local config = {
    name = c.name,
    cmd = c.cmd,
    cmd_env = c.cmd_env,
    root_dir = root,
    workspace_folders = {
      { uri = vim.uri_from_fname(root), name = root },
    },
    capabilities = M.make_capabilities(c.capabilities),
    handlers = M.make_handlers(c.handlers),
    commands = client_commands(),
    flags = c.flags,
    on_attach = M.on_attach,
    on_init = c.on_init,
    on_exit = function(code, signal, client_id)
      for r, id in pairs(clients_by_root) do
        if id == client_id then
          clients_by_root[r] = nil
        end
      end
      ours[client_id] = nil
      inflight[client_id] = nil
      held[client_id] = nil
      running[client_id] = nil
      for key in pairs(attached) do
        if key:match("^" .. client_id .. ":") then
          attached[key] = nil
        end
      end
      if c.on_exit then
        c.on_exit(code, signal, client_id)
      end
    end,
  }
  -- An empty Lua table would be sent as a JSON array; send nothing instead.
  if type(c.settings) == "table" and next(c.settings) ~= nil then
    config.init_options = { planLsp = c.settings }
    config.settings = { planLsp = c.settings }
  end
  return config
end

--- The configuration lsp/plan_lsp.lua returns (Neovim 0.11+,
--- vim.lsp.config / vim.lsp.enable): the same capabilities, handlers,
--- client commands and on_attach as setup() uses.
---@return table
function M.lsp_config()
  local c = M.config
  local config = {
    cmd = c.cmd,
    -- toml only for .plan-lsp.toml: root_dir does not call on_dir (so
    -- nothing starts or attaches) for another TOML buffer. (vim.lsp.enable
    -- has checked `filetypes`, the user's when vim.lsp.config set them.)
    filetypes = start_filetypes(),
    root_dir = function(bufnr, on_dir)
      local path = buffer_path(bufnr)
      if path and (vim.bo[bufnr].filetype ~= "toml" or M.wants(bufnr)) then
        on_dir(c.root_dir and c.root_dir(path, bufnr) or M.find_root(path))
      end
    end,
    capabilities = M.make_capabilities(c.capabilities),
    handlers = M.make_handlers(c.handlers),
    commands = client_commands(),
    on_attach = M.on_attach,
  }
  if type(c.settings) == "table" and next(c.settings) ~= nil then
    config.init_options = { planLsp = c.settings }
    config.settings = { planLsp = c.settings }
  end
  return config
end

local function executable(cmd)
  return type(cmd) == "table" and cmd[1] ~= nil and vim.fn.executable(cmd[1]) == 1
end

--- Starts (or reuses) the server for a buffer and attaches it.
---@param bufnr number|nil buffer handle, default the current buffer
---@return number|nil client id
function M.attach(bufnr)
  bufnr = resolve_buf(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return nil
  end
  local path = buffer_path(bufnr)
  if not path then
    return nil
  end
  local c = M.config
  if not executable(c.cmd) then
    notify_once(
      "cmd",
      string.format(
        "server command %q not found; install plan-lsp (cargo install --path .) or set `cmd` in require(\"plan_lsp\").setup()",
        tostring(type(c.cmd) == "table" and c.cmd[1] or c.cmd)
      ),
      vim.log.levels.ERROR
    )
    return nil
  end
  local root = c.root_dir and c.root_dir(path, bufnr) or M.find_root(path)

  if vim.lsp.start and has("nvim-0.8") then
    local id = vim.lsp.start(client_config(root), {
      bufnr = bufnr,
      reuse_client = function(client, config)
        return client.name == config.name and client.config.root_dir == config.root_dir
      end,
    })
    if id then
      clients_by_root[root] = id
      ours[id] = true
    end
    return id
  end

  -- Neovim 0.7: one client per root, attached to each buffer under it.
  local id = clients_by_root[root]
  if not live_client(id) then
    id = vim.lsp.start_client(client_config(root))
    if not id then
      notify(string.format("could not start %s", table.concat(c.cmd, " ")), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[root] = id
    ours[id] = true
  end
  if not vim.lsp.buf_is_attached(bufnr, id) then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Replaces the `planLsp` settings and sends them to the running servers
--- (workspace/didChangeConfiguration); new servers start with them too.
---@param settings table
function M.set_settings(settings)
  if type(settings) ~= "table" then
    error("plan-lsp: set_settings expects a table", 2)
  end
  M.config.settings = settings
  local payload = { planLsp = next(settings) ~= nil and settings or vim.empty_dict() }
  for _, client in ipairs(M.clients()) do
    -- workspace/configuration answers come from here (config on 0.7-0.10,
    -- the client itself on 0.11).
    client.config.settings = payload
    client.settings = payload
    client_call(client, "notify", "workspace/didChangeConfiguration", { settings = payload })
    -- With pull diagnostics (Neovim 0.10+), Neovim asks again only after an
    -- edit; ask now so that the new settings show at once.
    local caps = server_caps(client)
    if caps.diagnosticProvider then
      for _, bufnr in ipairs(vim.lsp.get_buffers_by_client_id(client.id)) do
        client_call(client, "request", "textDocument/diagnostic", {
          textDocument = { uri = vim.uri_from_bufnr(bufnr) },
        }, nil, bufnr)
      end
    end
  end
end

--- Configures the plugin and starts the server for matching buffers.
---@param opts table|nil see `defaults` above
function M.setup(opts)
  opts = opts or {}
  for key, kind in pairs({
    cmd = "table",
    settings = "table",
    filetypes = "table",
    root_markers = "table",
    root_dir = "function",
    handlers = "table",
  }) do
    if opts[key] ~= nil and type(opts[key]) ~= kind then
      error(string.format("plan-lsp: setup option `%s` must be a %s, got %s", key, kind, type(opts[key])), 2)
    end
  end
  local display = opts.diagnostics_display
  if display ~= nil and display ~= false and display ~= "joined" and display ~= "lines" then
    error('plan-lsp: setup option `diagnostics_display` must be "joined", "lines" or false', 2)
  end
  -- Shallow merge: lists (cmd, filetypes, root_markers) and the settings
  -- table are taken whole from opts.
  M.config = vim.tbl_extend("force", vim.deepcopy(defaults), opts)
  warned = {}

  define_commands()

  local group = vim.api.nvim_create_augroup("plan_lsp", { clear = true })
  if M.config.autostart == false then
    return
  end
  -- `filetypes`, and toml for a buffer named .plan-lsp.toml (not for
  -- Cargo.toml and other TOML files).
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = start_filetypes(),
    callback = function(args)
      if M.wants(args.buf) then
        M.attach(args.buf)
      end
    end,
    desc = "Start plan-lsp",
  })
  -- Buffers opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and M.wants(bufnr) then
      M.attach(bufnr)
    end
  end
end

return M
