#![no_main]
//! See `plan_lsp::fuzzing::template` for what the target checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| plan_lsp::fuzzing::template(data));
