//! The language server (tower-lsp glue only).

pub fn run() {
    eprintln!("plan-lsp: the language server is not built yet");
}
