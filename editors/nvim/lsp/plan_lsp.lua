-- plan-lsp for Neovim 0.11+ through the built-in configuration API:
--
--   vim.lsp.enable("plan_lsp")
--   -- optional, merged over this file:
--   vim.lsp.config("plan_lsp", { settings = { planLsp = { env = "staging" } } })
--
-- Neovim finds this file on 'runtimepath' (editors/nvim of a checkout, or
-- the plugin installed by your plugin manager). It is the configuration the
-- plugin's own setup() uses: the same capabilities (plain-text completion
-- documentation, code lens refresh), handlers (the rule code in each
-- diagnostic, workspace/codeLens/refresh, showMessage once, the server's
-- questions through vim.ui.select, deploy progress and output), client
-- commands (the Show / Approve / Deploy / Roll back lenses) and on_attach
-- (omnifunc, native completion with autotrigger, code lenses, :PlanShow,
-- :PlanApprove, :PlanDeploy, :PlanRollback, :PlanCancel, :PlanOutput,
-- :PlanLspFixAll). Filetypes markdown and toml, but a toml buffer only
-- when it is .plan-lsp.toml (root_dir calls on_dir for no other TOML
-- file). Options of require("plan_lsp").setup()
-- (called with autostart = false, so that it starts nothing itself) apply
-- here too.

local plugin = require("plan_lsp")

-- vim.lsp.config replaces a function (on_attach) given by the user instead
-- of merging it; the plugin's behaviour then still comes from LspAttach.
-- (M.on_attach runs once per client and buffer, so both paths together do
-- it once.)
local group = vim.api.nvim_create_augroup("plan_lsp_config", { clear = true })
vim.api.nvim_create_autocmd("LspAttach", {
  group = group,
  callback = function(args)
    local client = args.data and vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == "plan_lsp" then
      plugin.on_attach(client, args.buf)
    end
  end,
  desc = "plan-lsp: commands, completion, code lenses",
})

return plugin.lsp_config()
