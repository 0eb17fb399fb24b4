fn main() -> std::process::ExitCode {
    tccert::app::main(std::env::args_os())
}
