//! The one module that names the LSP crate, so that moving to another
//! tower-lsp (e.g. the maintained fork) is a local change.

pub use tower_lsp::async_trait;
pub use tower_lsp::jsonrpc;
pub use tower_lsp::lsp_types::*;
pub use tower_lsp::{Client, ClientSocket, ExitedError, LanguageServer, LspService, Server};
