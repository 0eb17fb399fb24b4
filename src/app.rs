//! The dispatcher: parses the command line, sets up logging, runs the one
//! command asked for ([`crate::commands`], a file each), and is the one place
//! that prints a [`CommandError`] and turns the outcome into the process's
//! exit code (docs/cli.md, "Exit codes").

use std::ffi::OsString;
use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command, CsrCommand};
use crate::commands::{
    self, CommandError, CommandResult, EXIT_FAILURE, EXIT_OK, print_stderr, with_runtime,
};
use crate::plan::Mode;
use crate::system::{Environment as _, ProcessEnvironment};

pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Usage errors exit 1, not clap's 2: for `plan --detailed-exitcode`
            // 2 means "changes", and a typo must not read as that.
            return ExitCode::from(if error.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_OK
            });
        }
    };
    let no_color = ProcessEnvironment.var("NO_COLOR");
    crate::output::colour::set(
        crate::output::colour::wanted(
            cli.color,
            std::io::stdout().is_terminal(),
            no_color.as_deref(),
        ),
        crate::output::colour::wanted(
            cli.color,
            std::io::stderr().is_terminal(),
            no_color.as_deref(),
        ),
    );
    commands::set_quiet(cli.quiet);
    let standalone_emulator = matches!(cli.command, Command::Emulator(_));
    init_logging(cli.verbose, cli.quiet, standalone_emulator);
    ExitCode::from(finish(run(cli.command)))
}

fn init_logging(verbose: u8, quiet: bool, standalone_emulator: bool) {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let level = match (quiet, verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::INFO,
        (false, 2) => LevelFilter::DEBUG,
        (false, _) => LevelFilter::TRACE,
    };
    // Our crate at the chosen level; dependencies one step quieter, so -vvv
    // is about tccert, not hyper's connection pool. A fixed `Targets` filter,
    // not `EnvFilter`: tccert reads no RUST_LOG, and EnvFilter's directive
    // parser (with its regex matching) was code and a crate (`matchers`) for
    // nothing (BENCHMARKS.md, "Size and build time").
    let mut filter = Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("tccert", level);
    // The built-in emulator of `--emulator` logs each request with its
    // certificate id, which may come from the environment (a manifest may
    // read any variable into `certificate_id`); the client masks it, the
    // emulator cannot know to. Only `tccert emulator` shows those lines.
    if !standalone_emulator {
        filter = filter.with_target("tccert::emulator", level.min(LevelFilter::WARN));
    }
    // `--color` (auto: only for a person at a terminal, and NO_COLOR,
    // no-color.org, turns it off).
    let colour = crate::output::colour::on(crate::output::colour::Stream::Stderr);
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(colour)
                .with_writer(std::io::stderr)
                .with_target(false)
                .with_filter(filter),
        )
        .try_init();
}

fn run(command: Command) -> CommandResult {
    match command {
        Command::Validate(args) => commands::validate::run(&args),
        Command::Render(args) => commands::render::run(&args),
        Command::Schema(args) => commands::schema::run(&args),
        Command::Plan(args) => with_runtime(|| commands::plan_apply::run(&args, Mode::Plan)),
        Command::Apply(args) => with_runtime(|| commands::plan_apply::run(&args, Mode::Apply)),
        Command::Emulator(args) => with_runtime(|| commands::emulator::run(args)),
        Command::Import(args) => with_runtime(|| commands::import::run(&args)),
        Command::Status(args) => with_runtime(|| commands::status::run(&args)),
        Command::Download(args) => with_runtime(|| commands::download::run(&args)),
        Command::DebugSign(args) => commands::debug_sign::run(&args),
        Command::Csr(CsrCommand::New(args)) => commands::csr::new(&args),
        Command::Csr(CsrCommand::Inspect(args)) => commands::csr::inspect(&args),
        Command::Init(args) => commands::init::run(&args),
        Command::Completions(args) => commands::man::completions(&args),
        Command::Man(args) => commands::man::man(&args),
    }
}

/// The one place a command's error is printed and its exit code picked.
fn finish(result: CommandResult) -> u8 {
    match result {
        Ok(code) => code,
        Err(error) => report(&error),
    }
}

fn report(error: &CommandError) -> u8 {
    print_stderr(&error.render());
    error.exit_code()
}
