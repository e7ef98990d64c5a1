//! The output layer: the only place that writes to stdout or stderr.
//!
//! Colour is decided once per stream in [`Ui::new`]; data goes to stdout, narrative, warnings
//! and errors to stderr; every remote string is sanitised before it reaches a terminal.

pub(crate) mod body;
pub(crate) mod json;
mod rerun;
pub(crate) mod response;
pub(crate) mod spinner;

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use colored::{Color, Colorize};

use crate::error::Error;
use crate::text::sanitize;
pub use rerun::Rerun;

/// When to colour (`--color`): `auto` colours a terminal unless `NO_COLOR` is set or
/// `TERM=dumb`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// What decides how the terminal is used: the output format, the verbosity and colour
/// flags, and the profile flags hints repeat.
#[derive(Debug, Clone, Default)]
pub struct UiOptions {
    /// `--json`: JSON documents on stdout.
    pub json: bool,
    /// `--quiet`: no narrative on stderr.
    pub quiet: bool,
    /// `-v` count: traces on stderr.
    pub verbose: u8,
    /// `--color`.
    pub color: ColorChoice,
    /// The flags a suggested command repeats.
    pub rerun: Rerun,
}

/// Colours for one stream, decided once. Renderers take a `Theme`, never global state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub enabled: bool,
}

impl Theme {
    /// A theme that never colours (tests, pipes).
    pub const PLAIN: Self = Self { enabled: false };

    /// Paints `text` in `color` when colour is on.
    pub fn paint(self, text: &str, color: Color) -> String {
        if self.enabled {
            text.color(color).to_string()
        } else {
            text.to_owned()
        }
    }

    /// Bold text when colour is on.
    pub fn bold(self, text: &str) -> String {
        if self.enabled {
            text.bold().to_string()
        } else {
            text.to_owned()
        }
    }

    /// Dimmed text when colour is on.
    pub fn dim(self, text: &str) -> String {
        if self.enabled {
            text.dimmed().to_string()
        } else {
            text.to_owned()
        }
    }
}

/// Something a command reports: rendered for humans or as a JSON document.
pub trait Report {
    /// The stable `--json` document.
    fn to_json(&self) -> serde_json::Value;
    /// The human rendering for stdout (sanitised by the implementation).
    fn human(&self, theme: Theme) -> String;
}

/// What a command hands back to be written out.
#[derive(Default)]
pub enum Output {
    /// Nothing for stdout.
    #[default]
    Nothing,
    /// A report, human or `--json`.
    Report(Box<dyn Report>),
    /// Raw bytes that are the requested artefact (a token, a generated file).
    Data(Vec<u8>),
    /// Bytes copied to stdout as they arrive (a `call` response body, untouched).
    Stream(Stream),
}

/// A body to copy to stdout without buffering it; `read_error` makes the error when reading
/// fails midway (a network failure, or a time limit that ran out: the command knows which
/// limit, and what raises it).
pub struct Stream {
    pub reader: Box<dyn io::Read>,
    pub read_error: Box<dyn Fn(io::Error) -> Error>,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Nothing => "Output::Nothing",
            Self::Report(_) => "Output::Report",
            Self::Data(_) => "Output::Data",
            Self::Stream(_) => "Output::Stream",
        })
    }
}

/// How a command ended: what to print, and optionally an error to exit with afterwards
/// (`decode --verify` prints the claims and then fails with exit 6).
#[derive(Debug, Default)]
pub struct Outcome {
    pub output: Output,
    pub failure: Option<Error>,
}

impl Outcome {
    /// A successful report.
    pub fn report(report: impl Report + 'static) -> Self {
        Self {
            output: Output::Report(Box::new(report)),
            failure: None,
        }
    }

    /// Raw bytes for stdout.
    pub fn data(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            output: Output::Data(bytes.into()),
            failure: None,
        }
    }

    /// Print the output, then fail with `err`.
    #[must_use]
    pub fn then_fail(mut self, err: Error) -> Self {
        self.failure = Some(err);
        self
    }
}

/// The terminal: streams, format and colour, decided once.
#[derive(Debug)]
pub struct Ui {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub stdout: Theme,
    pub stderr: Theme,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    /// The profile flags that commands suggested in hints repeat.
    pub rerun: Rerun,
}

fn color_wanted(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_tty
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

impl Ui {
    /// Decides format and colour for both streams from the options and the environment.
    pub fn new(options: UiOptions) -> Self {
        let stdout_is_tty = io::stdout().is_terminal();
        let stderr_is_tty = io::stderr().is_terminal();
        // `NO_COLOR` wins over `--color auto` only; an explicit `--color always` is obeyed.
        Self {
            json: options.json,
            quiet: options.quiet,
            verbose: options.verbose,
            stdout: Theme {
                enabled: color_wanted(options.color, stdout_is_tty),
            },
            stderr: Theme {
                enabled: color_wanted(options.color, stderr_is_tty),
            },
            stdout_is_tty,
            stderr_is_tty,
            rerun: options.rerun,
        }
    }

    /// A UI for in-process callers and tests: plain, no terminal.
    pub fn plain() -> Self {
        Self {
            json: false,
            quiet: false,
            verbose: 0,
            stdout: Theme::PLAIN,
            stderr: Theme::PLAIN,
            stdout_is_tty: false,
            stderr_is_tty: false,
            rerun: Rerun::default(),
        }
    }

    /// Narrative on stderr (suppressed by `--quiet`). The caller sanitises remote parts.
    pub fn info(&self, message: &str) {
        if !self.quiet {
            to_stderr(format_args!("{message}\n"));
        }
    }

    /// Narrative on stderr that must be shown even with `--quiet` (the URL to open).
    pub fn note(&self, message: &str) {
        to_stderr(format_args!("{message}\n"));
    }

    /// A warning on stderr, shown even with `--quiet`.
    pub fn warn(&self, message: &str) {
        to_stderr(format_args!(
            "{} {}\n",
            self.stderr.paint("oauthctl: warning:", Color::Yellow),
            sanitize::line(message)
        ));
    }

    /// A `-v` trace line on stderr. Callers redact secrets before calling.
    pub fn trace(&self, message: &str) {
        if self.verbose > 0 {
            to_stderr(format_args!(
                "{}\n",
                self.stderr.dim(&sanitize::line(message))
            ));
        }
    }

    /// Writes one line to stdout and flushes it at once: the first output of a long-running
    /// command (`serve` prints its issuer URL this way, for scripts to read).
    pub fn stdout_line(&self, line: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()
    }

    /// Writes the outcome's output to stdout. A closed pipe is not a failure; a stream that
    /// breaks off while being read is a network error (exit 5).
    pub fn emit(&self, output: Output) -> crate::error::Result<()> {
        let mut out = io::stdout().lock();
        let result = match output {
            Output::Nothing => Ok(()),
            Output::Data(bytes) => out.write_all(&bytes),
            Output::Stream(mut stream) => match copy(&mut stream.reader, &mut out) {
                Ok(_) => Ok(()),
                Err(CopyError::Write(e)) => Err(e),
                Err(CopyError::Read(e)) => {
                    let _ = out.flush();
                    return Err((stream.read_error)(e));
                }
            },
            Output::Report(report) => {
                if self.json {
                    // Into one buffer first: stdout is line-buffered, and pretty JSON would
                    // otherwise cost a write per line.
                    out.write_all(json::to_string(&report.to_json(), true).as_bytes())
                } else {
                    out.write_all(report.human(self.stdout).as_bytes())
                }
            }
        };
        match result.and_then(|()| out.flush()) {
            // A closed pipe (`oauthctl token | head -c0`) is not a failure (ripgrep, bat).
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Error::Other(format!("cannot write to stdout: {e}"))),
            Ok(()) => Ok(()),
        }
    }

    /// Prints `oauthctl: error: …` and the hint, and returns the error's exit code. A child
    /// process's exit status (`exec`) is passed through silently.
    pub fn fail(&self, err: &Error) -> ExitCode {
        if !matches!(err, Error::ChildExited { .. }) {
            to_stderr(format_args!("{}", self.render_error(err)));
        }
        ExitCode::from(err.exit_code())
    }

    /// The error text as written to stderr: the message and the hint. An error's message
    /// already names its cause (`could not reach URL: CAUSE`), so the cause is not repeated.
    pub fn render_error(&self, err: &Error) -> String {
        let mut out = format!(
            "{} {}\n",
            self.stderr.paint("oauthctl: error:", Color::Red),
            sanitize::line(&err.to_string())
        );
        if let Some(hint) = err.hint() {
            let _ = writeln!(
                out,
                "{} {}",
                self.stderr.paint("hint:", Color::Cyan),
                sanitize::line(&self.rerun.hint(&hint))
            );
        }
        out
    }
}

/// Why [`copy`] stopped.
#[derive(Debug)]
pub enum CopyError {
    /// Reading the source failed.
    Read(io::Error),
    /// Writing the destination failed.
    Write(io::Error),
}

/// Copies `from` to `to` in 64 KiB chunks, telling read failures from write failures
/// (`call` streams response bodies to stdout and `-o` files this way).
pub fn copy(from: &mut dyn io::Read, to: &mut dyn Write) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        to.write_all(&buf[..n]).map_err(CopyError::Write)?;
        total += n as u64;
    }
}

/// Writes one `-v` trace line to stderr. Callers redact secrets first; remote text is
/// sanitised here.
pub fn trace_line(message: &str) {
    to_stderr(format_args!("{}\n", sanitize::line(message)));
}

/// Writes to stderr and ignores failure. `eprintln!` panics when stderr is a pipe whose
/// reader has gone (`oauthctl token 2>&1 | head -c0`), which would turn every error into
/// exit 101; the command's own exit code (README, Exit codes) still says what happened.
fn to_stderr(text: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(text).and_then(|()| err.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_render_on_one_line_with_hint() {
        let ui = Ui::plain();
        let text = ui.render_error(&Error::config(
            "no issuer for profile `x`\u{1b}[2J",
            Some("pass --issuer URL".to_owned()),
        ));
        assert_eq!(
            text,
            "oauthctl: error: no issuer for profile `x`\\u{1b}[2J\nhint: pass --issuer URL\n"
        );
    }

    #[test]
    fn a_cause_is_shown_once() {
        let ui = Ui::plain();
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let text = ui.render_error(&Error::io(
            "read the client secret file",
            std::path::Path::new("/nonexistent"),
            missing,
        ));
        assert_eq!(
            text.lines().next(),
            Some(
                "oauthctl: error: cannot read the client secret file /nonexistent: entity not found"
            )
        );
        let text = ui.render_error(&Error::network(
            "https://as.example/token",
            crate::error::NetworkKind::Certificate,
            "invalid peer certificate: UnknownIssuer",
        ));
        assert_eq!(text.matches("UnknownIssuer").count(), 1, "{text}");
        assert!(
            text.contains("\nhint: the server's certificate is not trusted"),
            "{text}"
        );
    }

    #[test]
    fn plain_theme_adds_no_escapes() {
        assert_eq!(Theme::PLAIN.paint("x", Color::Red), "x");
        assert_eq!(Theme::PLAIN.bold("x"), "x");
    }
}
