fn main() -> std::process::ExitCode {
    plan_lsp::cli::main()
}
