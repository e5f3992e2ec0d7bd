;;; plan-lsp.el --- plan-lsp for Markdown deployment plans, through eglot  -*- lexical-binding: t; -*-

;;; Commentary:

;; Starts the plan-lsp language server for Markdown buffers through eglot.
;; The server acts only on documents that declare themselves plans (first
;; H1 "# Deployment Plan", front matter "plan: deployment", a status.md
;; with "## Deployment State", or an `include' glob); other Markdown files
;; get nothing from it.
;;
;; Needs eglot (built into Emacs 29; from GNU ELPA before), markdown-mode,
;; and `plan-lsp' on your PATH (`cargo install --path .' in the plan-lsp
;; repository).  Put this file on your `load-path' and add to your init file:
;;
;;   (setq plan-lsp-settings '(:env "staging"))   ; optional, before `require'
;;   (require 'plan-lsp)

;;; Code:

(require 'eglot)

(defgroup plan-lsp nil
  "The plan-lsp language server for Markdown deployment plans."
  :group 'tools
  :prefix "plan-lsp-")

(defcustom plan-lsp-command '("plan-lsp")
  "The command that starts the server on stdio, as a list of strings."
  :type '(repeat string))

(defcustom plan-lsp-settings nil
  "The `planLsp' settings, as a plist with the keys of .plan-lsp.toml.
For example:
  (:env \"production\"
   :include [\"plans/**/*.md\"]
   :rules (:placeholder \"error\" :unchecked-item \"off\")
   :values (:provider [\"Fly.io\" \"Hetzner\"]))
Vectors are JSON arrays.  nil leaves the configuration to the
project's .plan-lsp.toml.  Sent as initializationOptions and as the
`planLsp' section of `eglot-workspace-configuration'; after changing
it, run \\[plan-lsp-apply-settings]."
  :type 'plist)

(defcustom plan-lsp-modes '(markdown-mode gfm-mode markdown-ts-mode)
  "Major modes whose buffers get the server."
  :type '(repeat symbol))

(defun plan-lsp--contact (&optional _interactive)
  "The eglot contact for plan-lsp."
  (append plan-lsp-command
          (and plan-lsp-settings
               (list :initializationOptions (list :planLsp plan-lsp-settings)))))

(defun plan-lsp-apply-settings ()
  "Put `plan-lsp-settings' into `eglot-workspace-configuration'.
Sends them to the server of the current buffer, if it has one."
  (interactive)
  (let ((config (default-value 'eglot-workspace-configuration)))
    (unless (functionp config)
      (setq-default eglot-workspace-configuration
                    ;; nil is sent as {}: the server's defaults
                    (plist-put (copy-tree config) :planLsp plan-lsp-settings))))
  (let ((server (eglot-current-server)))
    (when server
      (eglot-signal-didChangeConfiguration server))))

(add-to-list 'eglot-server-programs (cons plan-lsp-modes #'plan-lsp--contact))
(plan-lsp-apply-settings)

(dolist (mode plan-lsp-modes)
  (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure))

(provide 'plan-lsp)
;;; plan-lsp.el ends here
