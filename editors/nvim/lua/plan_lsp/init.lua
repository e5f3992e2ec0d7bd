-- plan-lsp for Neovim: starts the plan-lsp language server for Markdown
-- buffers. Works on Neovim 0.7 (vim.lsp.start_client + buf_attach_client)
-- and on 0.8 and later (vim.lsp.start).
--
--   require("plan_lsp").setup({
--     cmd = { "plan-lsp" },
--     settings = { env = "staging", rules = { placeholder = "warning" } },
--   })

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
  cmd_env = nil,
  flags = nil,
  -- Set to false to start the server only through require("plan_lsp").attach().
  autostart = true,
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
    capabilities = c.capabilities or vim.lsp.protocol.make_client_capabilities(),
    flags = c.flags,
    on_attach = c.on_attach,
    on_init = c.on_init,
    on_exit = function(code, signal, client_id)
      for r, id in pairs(clients_by_root) do
        if id == client_id then
          clients_by_root[r] = nil
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

local function executable(cmd)
  return type(cmd) == "table" and cmd[1] ~= nil and vim.fn.executable(cmd[1]) == 1
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

--- Starts (or reuses) the server for a buffer and attaches it.
---@param bufnr number|nil buffer handle, default the current buffer
---@return number|nil client id
function M.attach(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
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
  end
  if not vim.lsp.buf_is_attached(bufnr, id) then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- The running plan-lsp clients.
---@return table[]
function M.clients()
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local result = {}
  for _, client in ipairs(all) do
    if client.name == M.config.name then
      table.insert(result, client)
    end
  end
  return result
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
    local caps = client.server_capabilities or {}
    if caps.diagnosticProvider then
      for _, bufnr in ipairs(vim.lsp.get_buffers_by_client_id(client.id)) do
        client_call(client, "request", "textDocument/diagnostic", {
          textDocument = { uri = vim.uri_from_bufnr(bufnr) },
        }, nil, bufnr)
      end
    end
  end
end

--- Applies every safe fix the server offers for a buffer (the
--- `source.fixAll.plan-lsp` code action).
---@param bufnr number|nil buffer handle, default the current buffer
---@return boolean true when an edit was applied
function M.fix_all(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
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
  }) do
    if opts[key] ~= nil and type(opts[key]) ~= kind then
      error(string.format("plan-lsp: setup option `%s` must be a %s, got %s", key, kind, type(opts[key])), 2)
    end
  end
  -- Shallow merge: lists (cmd, filetypes, root_markers) and the settings
  -- table are taken whole from opts.
  M.config = vim.tbl_extend("force", vim.deepcopy(defaults), opts)
  warned = {}

  vim.api.nvim_create_user_command("PlanLspFixAll", function()
    if not M.fix_all(0) then
      vim.notify("plan-lsp: nothing to fix", vim.log.levels.INFO)
    end
  end, { desc = "Apply every safe plan-lsp fix to this buffer" })

  local group = vim.api.nvim_create_augroup("plan_lsp", { clear = true })
  if M.config.autostart == false then
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = "Start plan-lsp",
  })
  -- Buffers opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
