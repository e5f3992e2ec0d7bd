//! plan-lsp: a language server and command-line checker for deployment
//! plans written in Markdown. See ARCHITECTURE.md for the layers.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod edits;
pub mod exec;
pub mod fix;
pub mod fuzzing;
pub mod ide;
pub mod layout;
pub mod model;
pub mod rules;
pub mod schema;
pub mod server;
pub mod text;
pub mod workspace;
