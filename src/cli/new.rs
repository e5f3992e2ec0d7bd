//! `plan-lsp new`: prints or writes a template rendered from the schema.

use super::{EXIT_CLEAN, EXIT_ERROR, NewArgs, RecordStyleArg, fail, files, parse_env};
use crate::config::Config;
use crate::schema::template::{self, RecordStyle};
use crate::schema::{Body, DEPLOYMENT, DocKind};

/// `plan-lsp new validation`: the Decision Validation record alone.
const VALIDATION: &str = "validation";

pub fn run(args: &NewArgs, config: &Config) -> u8 {
    let env = match args.env.as_deref().map(parse_env).transpose() {
        Ok(env) => env,
        Err(message) => return fail(&message),
    };
    let text = if args.kind.eq_ignore_ascii_case(VALIDATION) {
        let style = match args.record {
            RecordStyleArg::Box => RecordStyle::Box,
            RecordStyleArg::Markdown => RecordStyle::Markdown,
        };
        let heading = DEPLOYMENT
            .sections
            .iter()
            .find(|s| matches!(s.body, Body::Record(_)))
            .map(|s| template::heading(s, DocKind::deployment(), None))
            .unwrap_or_default();
        format!(
            "{heading}\n\n{}\n",
            template::validation(DEPLOYMENT.record_spec(), style, env).trim_end()
        )
    } else {
        match config.kind(&args.kind) {
            Some(kind) => template::document(kind, env),
            None => {
                let mut names: Vec<String> = config.kinds().iter().map(|k| k.to_string()).collect();
                names.push(VALIDATION.into());
                return fail(&format!(
                    "`{}` is not a document kind; use one of: {}",
                    args.kind,
                    names.join(", ")
                ));
            }
        }
    };
    match &args.output {
        None => {
            print!("{text}");
            EXIT_CLEAN
        }
        Some(path) if path.exists() && !args.force => fail(&format!(
            "{} already exists; use --force to overwrite it",
            files::display(path)
        )),
        Some(path) => match files::write_atomic(
            path,
            &text,
            if args.force {
                files::Before::Anything
            } else {
                files::Before::Nothing
            },
        ) {
            Ok(()) => {
                eprintln!("wrote {}", files::display(path));
                EXIT_CLEAN
            }
            Err(message) => {
                eprintln!("{}: error: {message}", files::display(path));
                EXIT_ERROR
            }
        },
    }
}
