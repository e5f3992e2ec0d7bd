//! `plan-lsp new`: prints or writes a template rendered from the schema.

use super::{EXIT_CLEAN, EXIT_ERROR, NewArgs, NewKind, RecordStyleArg, fail, files, parse_env};
use crate::schema::template::{self, RecordStyle};
use crate::schema::{Body, DEPLOYMENT};

pub fn run(args: &NewArgs) -> u8 {
    let env = match args.env.as_deref().map(parse_env).transpose() {
        Ok(env) => env,
        Err(message) => return fail(&message),
    };
    let text = match args.kind {
        NewKind::Deployment => template::deployment(env),
        NewKind::Status => template::status(),
        NewKind::Validation => {
            let style = match args.record {
                RecordStyleArg::Box => RecordStyle::Box,
                RecordStyleArg::Markdown => RecordStyle::Markdown,
            };
            let heading = DEPLOYMENT
                .sections
                .iter()
                .find(|s| matches!(s.body, Body::Record))
                .map(|s| template::heading(s, DEPLOYMENT.kind, None))
                .unwrap_or_default();
            format!(
                "{heading}\n\n{}\n",
                template::validation(style, env).trim_end()
            )
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
