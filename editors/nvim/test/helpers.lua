-- Shared helpers of the Neovim end-to-end tests (loaded with dofile by
-- typing.lua). The typing tests run each step in a coroutine that yields
-- to Neovim's main loop while it waits: keys fed with nvim_input are then
-- processed exactly as typed keys are (InsertCharPre, the completion menu,
-- CompleteDone, autocommands), which a blocking vim.wait would not do.

local H = {}

local uv = vim.loop or vim.uv

H.WAIT_MS = tonumber(vim.env.PLAN_LSP_E2E_WAIT_MS or "") or 10000
-- Waits that only fail when a defect is there (a menu that never opens, a
-- buffer that never reaches the expected text): short, so that a broken
-- server costs seconds, not minutes.
H.SHORT_MS = tonumber(vim.env.PLAN_LSP_E2E_SHORT_MS or "") or 3000

function H.out(fmt, ...)
  io.stdout:write(string.format(fmt, ...) .. "\n")
  io.stdout:flush()
end

local Failure = {}
H.Failure = Failure

function H.fail(fmt, ...)
  error(setmetatable({ msg = string.format(fmt, ...) }, Failure), 0)
end

function H.check(cond, fmt, ...)
  if not cond then
    H.fail(fmt, ...)
  end
  return cond
end

function H.has(feature)
  return vim.fn.has(feature) == 1
end

function H.client_call(client, name, ...)
  if H.has("nvim-0.11") then
    return client[name](client, ...)
  end
  return client[name](...)
end

function H.env(name)
  local v = vim.env[name]
  H.check(v ~= nil and v ~= "", "environment variable %s is not set (run this test through editors/nvim/test/run.sh)", name)
  return v
end

function H.read_file(path)
  local f = io.open(path, "rb")
  H.check(f, "cannot read %s", path)
  local s = f:read("*a")
  f:close()
  return s
end

function H.write_file(path, text)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
  local f = io.open(path, "wb")
  H.check(f, "cannot write %s", path)
  f:write(text)
  f:close()
end

function H.realpath(p)
  return uv.fs_realpath(p) or p
end

function H.lines_of(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

--- The bytes `:write` puts on disk for the buffer: lines joined by NL, a NUL
--- wherever a line holds one (Neovim keeps it as "\n" inside the line), and
--- the final NL ('fixeol' is on).
function H.bytes(bufnr)
  local lines = H.lines_of(bufnr)
  for i, l in ipairs(lines) do
    lines[i] = (l:gsub("\n", "\0"))
  end
  return table.concat(lines, "\n") .. "\n"
end

--- Text for a failure message: NUL as ^@.
function H.visible(s)
  return (s:gsub("%z", "^@"))
end

function H.diff(expected, actual)
  local d = vim.diff and vim.diff(expected, actual, { ctxlen = 1 })
  if not d or d == "" then
    d = "expected:\n" .. expected .. "\ngot:\n" .. actual
  end
  return H.visible(d)
end

function H.split_lines(text)
  local lines = vim.split(text, "\n", { plain = true })
  if lines[#lines] == "" then
    table.remove(lines)
  end
  return lines
end

-- 1-based index of the only line of `lines` that contains `needle` (plain).
function H.find(lines, needle)
  local found
  for i, l in ipairs(lines) do
    if l:find(needle, 1, true) then
      H.check(found == nil, "more than one line contains %q", needle)
      found = i
    end
  end
  H.check(found, "no line contains %q", needle)
  return found
end

function H.contains(list, value)
  for _, v in ipairs(list) do
    if v == value then
      return true
    end
  end
  return false
end

function H.count(list, value)
  local n = 0
  for _, v in ipairs(list) do
    if v == value then
      n = n + 1
    end
  end
  return n
end

function H.duplicates(list)
  local seen, dup = {}, {}
  for _, v in ipairs(list) do
    if seen[v] and not H.contains(dup, v) then
      table.insert(dup, v)
    end
    seen[v] = true
  end
  return dup
end

---------------------------------------------------------------------------
-- waiting inside a step (a coroutine)

function H.sleep(ms)
  coroutine.yield(ms or 0)
end

H.exited = {}

--- Waits (yielding to the main loop) until cond() is true; false on timeout.
function H.poll(cond, timeout)
  local deadline = uv.hrtime() + (timeout or H.WAIT_MS) * 1e6
  while true do
    if next(H.exited) ~= nil then
      for id, e in pairs(H.exited) do
        H.fail("the server (client %d) exited with code %s, signal %s", id, tostring(e.code), tostring(e.signal))
      end
    end
    local ok, v = pcall(cond)
    if ok and v then
      return true
    end
    if uv.hrtime() > deadline then
      return false
    end
    coroutine.yield(15)
  end
end

--- Waits until cond() is true; fails with `what` (and detail() if given).
function H.wait_for(what, cond, timeout, detail)
  if not H.poll(cond, timeout) then
    local extra = detail and ("\n    " .. tostring(detail())) or ""
    H.fail("timed out after %d ms waiting for %s%s", timeout or H.WAIT_MS, what, extra)
  end
end

--- Feeds keys as typed (nvim_input: key notation, `<lt>` for `<`) and lets
--- Neovim process them.
function H.keys(keys)
  vim.api.nvim_input(keys)
  coroutine.yield(0)
  coroutine.yield(5)
end

function H.mode()
  return vim.api.nvim_get_mode().mode
end

---------------------------------------------------------------------------
-- running steps

--- Runs the steps one after another, each in its own coroutine, going on
--- after a failure (the steps do not depend on each other); then calls
--- done(passed, failed).
function H.run(steps, before_each, after_each, done)
  local results = { passed = {}, failed = {} }
  local i = 0
  local t_all = uv.hrtime()
  local next_step

  local function run_co(fn, on_end)
    local co = coroutine.create(fn)
    local function resume()
      local ok, res = coroutine.resume(co)
      if not ok then
        local msg
        if getmetatable(res) == Failure then
          msg = res.msg
        else
          msg = tostring(type(res) == "table" and (res.msg or vim.inspect(res)) or res) .. "\n" .. debug.traceback(co)
        end
        on_end(false, msg)
        return
      end
      if coroutine.status(co) == "dead" then
        on_end(true)
        return
      end
      vim.defer_fn(resume, tonumber(res) or 0)
    end
    vim.schedule(resume)
  end

  next_step = function()
    i = i + 1
    local s = steps[i]
    if not s then
      done(results, (uv.hrtime() - t_all) / 1e9)
      return
    end
    H.out("[%d/%d] %s", i, #steps, s.name)
    local t = uv.hrtime()
    run_co(function()
      if before_each then
        before_each(s)
      end
      s.fn()
    end, function(ok, msg)
      if ok then
        H.out("    ok (%.2fs)", (uv.hrtime() - t) / 1e9)
        table.insert(results.passed, s.name)
      else
        H.out("    FAIL: %s", (msg:gsub("\n", "\n    ")))
        table.insert(results.failed, s.name)
      end
      run_co(function()
        if after_each then
          after_each(s)
        end
      end, function(ok2, msg2)
        if not ok2 then
          H.out("    (cleanup after the step failed: %s)", msg2)
        end
        next_step()
      end)
    end)
  end
  vim.schedule(next_step)
end

-- The completion menu, as typing.lua and templates.lua drive it: its
-- items, and accepting one.
function H.menu()
  local info = vim.fn.complete_info({ "items", "selected", "pum_visible" })
  local labels = {}
  for _, it in ipairs(info.items or {}) do
    table.insert(labels, it.abbr ~= "" and it.abbr or it.word)
  end
  return info, labels
end

function H.menu_text()
  local info, labels = H.menu()
  return string.format("menu %s: %s; mode %s; line %q", vim.fn.pumvisible() == 1 and "open" or "closed", table.concat(labels, ", "), H.mode(), vim.api.nvim_get_current_line())
end

-- Waits for the menu to offer `label`, checks what it offers, selects it
-- with <C-n>/<C-p> and accepts it with <C-y>.
function H.accept(label, opts)
  opts = opts or {}
  H.wait_for(string.format("the completion menu to offer %q", label), function()
    if vim.fn.pumvisible() ~= 1 then
      return false
    end
    local _, labels = H.menu()
    return H.contains(labels, label)
  end, H.SHORT_MS, H.menu_text)
  local info, labels = H.menu()
  H.out("    menu: %s", table.concat(labels, ", "))
  for _, it in ipairs(info.items) do
    H.check(not it.word:find("\n", 1, true), "item %q would insert a line break into one line (NUL bytes): word %q", it.abbr, H.visible((it.word:gsub("\n", "\0"))))
  end
  for _, want in ipairs(opts.offers or {}) do
    H.check(H.contains(labels, want), "the menu lacks %q: %s", want, table.concat(labels, ", "))
  end
  for _, unwanted in ipairs(opts.not_offers or {}) do
    H.check(not H.contains(labels, unwanted), "the menu offers %q: %s", unwanted, table.concat(labels, ", "))
  end
  if opts.exactly then
    H.check(vim.deep_equal(labels, opts.exactly), "the menu offers %s, expected exactly %s", table.concat(labels, ", "), table.concat(opts.exactly, ", "))
  end
  local idx
  for i, l in ipairs(labels) do
    if l == label then
      idx = i - 1
      break
    end
  end
  local n = idx - info.selected
  if n > 0 then
    H.keys(string.rep("<C-n>", n))
  elseif n < 0 then
    H.keys(string.rep("<C-p>", -n))
  end
  H.wait_for("the item to be selected", function()
    return vim.fn.complete_info({ "selected" }).selected == idx
  end, H.SHORT_MS, H.menu_text)
  H.keys("<C-y>")
  H.wait_for("the menu to close after <C-y>", function()
    return vim.fn.pumvisible() == 0
  end, H.SHORT_MS, H.menu_text)
end

function H.esc()
  H.keys("<Esc>")
  H.wait_for("normal mode", function()
    return H.mode() == "n"
  end, H.SHORT_MS)
end

function H.set_cursor(row, col)
  vim.api.nvim_win_set_cursor(0, { row, col })
end

function H.replace_line(text, index, new)
  local lines = H.split_lines(text)
  lines[index] = new
  return table.concat(lines, "\n") .. "\n"
end

-- Stops every LSP client and waits (up to 3 s) until each has stopped.
function H.stop_clients()
  local ids = {}
  for _, c in ipairs(vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()) do
    table.insert(ids, c.id)
  end
  if #ids > 0 then
    vim.lsp.stop_client(ids)
    vim.wait(3000, function()
      for _, id in ipairs(ids) do
        local c = vim.lsp.get_client_by_id(id)
        if c and not H.client_call(c, "is_stopped") then
          return false
        end
      end
      return true
    end, 20)
  end
end

return H
