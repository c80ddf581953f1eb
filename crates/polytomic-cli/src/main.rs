//! `polytomic`: every operation of the Polytomic API as a command, grouped by resource (noun, then verb), on
//! top of the generated clap CLI (`generated.rs`).
//!
//! ```sh
//! polytomic users update-current-org --id <uuid> --role-ids <uuid> [<uuid>...]
//! polytomic bulk-syncs start --id <uuid> --wait
//! polytomic syncs list --all
//! polytomic api GET /api/connections
//! ```
//!
//! Credentials and base URL come from flags, key files or the environment the client reads
//! (`POLYTOMIC_API_KEY`, `POLYTOMIC_BASE_URL`); the response goes to stdout as JSON. Exit status: 0 success,
//! 2 bad arguments or configuration, 3 the API answered with an error, 4 network failure or timeout,
//! 5 a response that does not match the spec; with `--wait`, 6 the work failed, 7 it was canceled, 8 the
//! maximum wait passed first.

#[rustfmt::skip]
#[allow(clippy::all, missing_docs, unused)]
mod generated;
// What the spec's declarations give the hand-written part (written by `cargo xtask generate`).
#[rustfmt::skip]
mod declared;

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use generated::{Cli, CliCommand, CliConfig};
use polytomic::generated::{ResponseValue, builder};
use polytomic::operations::{PAGING, RESOURCES, resource, verb};
use polytomic::waiting::{Outcome, Source, StartedBy, Waiter};
use polytomic::{Client, Error, Paging, RoleIds};
use serde_json::Value;

const EXIT_USAGE: u8 = 2;
const EXIT_API: u8 = 3;
const EXIT_NETWORK: u8 = 4;
const EXIT_RESPONSE: u8 = 5;
const EXIT_FAILED: u8 = 6;
const EXIT_CANCELED: u8 = 7;
const EXIT_TIMED_OUT: u8 = 8;

/// `--role-ids` and the like are kebab-case; the spec's names snake_case.
fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

fn command() -> Command {
    let global = |arg: Arg| arg.global(true).hide_env_values(true);
    let mut root = Command::new("polytomic")
        .about("The Polytomic API from the command line: `polytomic <resource> <command>`. Prints responses as JSON.")
        .after_help("Exit status: 0 success, 2 bad arguments or configuration, 3 an error answer from the API, 4 network failure or timeout, 5 a response the spec does not describe; with --wait, 6 the work failed, 7 it was canceled, 8 --max-wait passed first.")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg(global(
            Arg::new("api-key")
                .long("api-key")
                .env("POLYTOMIC_API_KEY")
                .help("User API key (Bearer), or the organization-scoped key with --key-organization-id (Basic); a flag shows in `ps`: prefer the environment or --api-key-file"),
        ))
        .arg(global(
            Arg::new("api-key-file")
                .long("api-key-file")
                .value_name("FILE")
                .help("Read the user API key from FILE (`-`: stdin); wins over --api-key"),
        ))
        .arg(global(
            // Not `--organization-id`: request bodies have an `organization_id` field with that flag.
            Arg::new("key-organization-id")
                .long("key-organization-id")
                .env("POLYTOMIC_ORGANIZATION_ID")
                .help("Send the API key as the organization-scoped key of this organization (Basic)"),
        ))
        .arg(global(
            Arg::new("partner-key")
                .long("partner-key")
                .env("POLYTOMIC_PARTNER_KEY")
                .help("Partner API key (Bearer), for the partner commands; with an API key too, each command uses the key it takes"),
        ))
        .arg(global(
            Arg::new("partner-key-file")
                .long("partner-key-file")
                .value_name("FILE")
                .help("Read the partner key from FILE (`-`: stdin); wins over --partner-key"),
        ))
        .arg(global(
            Arg::new("base-url")
                .long("base-url")
                .env("POLYTOMIC_BASE_URL")
                .help("API base URL [default: https://app.polytomic.com]"),
        ))
        .arg(global(
            Arg::new("max-retries")
                .long("max-retries")
                .env("POLYTOMIC_MAX_RETRIES")
                .value_parser(clap::value_parser!(u32))
                .help("Retries of a failed attempt that is safe to repeat [default: 2]; 0 sends each request once"),
        ))
        .arg(global(
            Arg::new("version-header")
                .long("version-header")
                .help("X-Polytomic-Version to send [default: the version this client was generated for]"),
        ));
    // One command per resource, in the spec's order; its operations as its subcommands.
    for group in RESOURCES {
        let mut noun = Command::new(kebab(group))
            .about(format!("The {} operations", group.replace('_', " ")))
            .subcommand_required(true);
        for cmd in CliCommand::iter().filter(|c| resource(c.operation_id()) == *group) {
            noun = noun.subcommand(leaf(cmd));
        }
        root = root.subcommand(noun);
    }
    root.subcommand(
        Command::new("api")
            .about("Send a request by method and path, with the credentials, version header and retries")
            .arg(Arg::new("method").required(true).help("GET, POST, PUT, PATCH or DELETE"))
            .arg(Arg::new("path").required(true).help("From /, with any query: /api/connections"))
            .arg(
                Arg::new("json-body")
                    .long("json-body")
                    .value_name("FILE")
                    .help("Send the JSON in FILE (`-`: stdin) as the body"),
            ),
    )
    .subcommand(
        Command::new("completions")
            .about("Print the shell completion script: `polytomic completions bash > /etc/bash_completion.d/polytomic`")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
}

/// The command of one operation: progenitor's, named by its verb, with the flags the spec's declarations
/// call for (`--wait`, `--all`) and `--role-ids`.
fn leaf(cmd: CliCommand) -> Command {
    let id = cmd.operation_id();
    let mut sub = Cli::<Output>::get_command(cmd).name(kebab(verb(id)));
    // The list of commands shows the summary; `<command> --help` the whole description.
    // `ansi()`: the text as progenitor gave it (it has no styles); `to_string()` would strip escape codes
    // character by character, a third of a call's instructions in a debug build.
    if let Some(about) = sub.get_about().map(|a| a.ansi().to_string()) {
        let summary = about.lines().next().unwrap_or_default().to_string();
        sub = sub.about(summary).long_about(about);
    }
    if declared::ROLE_IDS.contains(&id) {
        // progenitor's CLI has flags for scalar body fields only; role_ids is a list.
        sub = sub.arg(
            Arg::new("role-ids")
                .long("role-ids")
                .num_args(1..)
                .action(ArgAction::Append)
                .value_parser(clap::value_parser!(uuid::Uuid))
                .help("Identifiers of the permissions roles to assign to the user (at least one)"),
        );
    }
    if let Some((waiter, _)) = Waiter::for_start(id) {
        sub = sub
            .arg(
                Arg::new("wait")
                    .long("wait")
                    .action(ArgAction::SetTrue)
                    .help(format!(
                        "Wait until the work is done ({} polled): progress on stderr, the final object on stdout, the exit status by the outcome",
                        waiter.operation
                    )),
            )
            .arg(
                Arg::new("max-wait")
                    .long("max-wait")
                    .value_name("SECONDS")
                    .requires("wait")
                    .value_parser(clap::value_parser!(u64))
                    .help("With --wait, give up after this long (exit 8) [default: 1800]"),
            );
    }
    if paging(id).is_some() {
        sub = sub.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Every item of every page, one JSON line each, printed as the pages arrive (by time: each event once, however many share a timestamp)"),
        );
    }
    sub
}

fn paging(operation_id: &str) -> Option<Paging> {
    PAGING
        .iter()
        .find(|(id, _)| *id == operation_id)
        .map(|(_, paging)| *paging)
}

/// The body of the last success response, as the server sent it.
type Sent = Arc<Mutex<Option<Vec<u8>>>>;

/// A key from `--<name>-file` (`-`: stdin), else from the flag or the environment.
fn key(matches: &ArgMatches, name: &str) -> Result<Option<String>, Error> {
    let Some(file) = matches.get_one::<String>(&format!("{name}-file")) else {
        return Ok(matches
            .get_one::<String>(name)
            .filter(|v| !v.is_empty())
            .cloned());
    };
    let text = read_file_or_stdin(file)
        .map_err(|e| Error::InvalidConfig(format!("cannot read --{name}-file {file}: {e}")))?;
    let text = String::from_utf8_lossy(&text);
    let key = text.trim();
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err(Error::InvalidConfig(format!(
            "--{name}-file {file} must hold one key and nothing else"
        )));
    }
    Ok(Some(key.to_string()))
}

/// The bytes of `file`, or of stdin for `-`.
fn read_file_or_stdin(file: &str) -> std::io::Result<Vec<u8>> {
    if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(file)
    }
}

fn client(matches: &ArgMatches, sent: &Sent) -> Result<Client, Error> {
    let arg = |name: &str| {
        matches
            .get_one::<String>(name)
            .filter(|v| !v.is_empty())
            .cloned()
    };
    // Both keys may be given: the client sends each operation the kind it takes.
    let mut builder = Client::builder().keys(
        key(matches, "api-key")?,
        arg("key-organization-id"),
        key(matches, "partner-key")?,
    );
    if !builder.has_credentials() {
        return Err(Error::InvalidConfig(
            "no credentials: pass --api-key-file or --partner-key-file, or set POLYTOMIC_API_KEY or POLYTOMIC_PARTNER_KEY".into(),
        ));
    }
    if let Some(url) = arg("base-url") {
        builder = builder.base_url(url);
    }
    if let Some(version) = arg("version-header") {
        builder = builder.api_version(version);
    }
    if let Some(&max_retries) = matches.get_one::<u32>("max-retries") {
        let mut policy = polytomic::RetryPolicy::default();
        policy.max_retries = max_retries;
        builder = builder.retry(policy);
    }
    let sent = sent.clone();
    builder
        .on_success_body(move |body| {
            if let Ok(mut slot) = sent.lock() {
                *slot = Some(body.to_vec());
            }
        })
        .build()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut root = command();
    let matches = match root.try_get_matches_from_mut(std::env::args_os()) {
        Ok(matches) => matches,
        // Help and version go to stdout with status 0; mistakes to stderr with status 2.
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let Some((group, group_matches)) = matches.subcommand() else {
        return ExitCode::from(EXIT_USAGE);
    };
    if group == "completions" {
        if let Some(&shell) = group_matches.get_one::<clap_complete::Shell>("shell") {
            clap_complete::generate(shell, &mut root, "polytomic", &mut std::io::stdout());
        }
        return ExitCode::SUCCESS;
    }
    let sent = Sent::default();
    let client = match client(&matches, &sent) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if group == "api" {
        return api(&client, group_matches).await;
    }
    let Some((name, sub_matches)) = group_matches.subcommand() else {
        return ExitCode::from(EXIT_USAGE);
    };
    let Some(cmd) = CliCommand::iter().find(|c| {
        kebab(resource(c.operation_id())) == group && kebab(verb(c.operation_id())) == name
    }) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let id = cmd.operation_id();
    // Only where `leaf()` added them: an operation may have a parameter of the same name (`all`).
    let flag = |name: &str| sub_matches.try_get_one::<bool>(name).ok().flatten() == Some(&true);
    let waits = Waiter::for_start(id).filter(|_| flag("wait"));
    let pages = paging(id).filter(|_| flag("all"));
    let output = Output {
        sent,
        hold: waits.is_some() || pages.is_some(),
    };
    let cli = Cli::new(client.clone(), output.clone());
    if let Some(paging) = pages {
        return every_item(&cli, cmd, sub_matches, paging, &output).await;
    }
    if let Err(e) = cli.execute(cmd, sub_matches).await {
        return report(e);
    }
    match waits {
        Some((waiter, start)) => {
            let max_wait = sub_matches.get_one::<u64>("max-wait").copied();
            wait(&client, waiter, start, sub_matches, &output, max_wait).await
        }
        _ => ExitCode::SUCCESS,
    }
}

/// `polytomic api METHOD PATH [--json-body FILE]`.
async fn api(client: &Client, matches: &ArgMatches) -> ExitCode {
    let (Some(method), Some(path)) = (
        matches.get_one::<String>("method"),
        matches.get_one::<String>("path"),
    ) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let Ok(method) = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
        eprintln!("error: {method:?} is not an HTTP method");
        return ExitCode::from(EXIT_USAGE);
    };
    let body = match matches.get_one::<String>("json-body") {
        None => None,
        Some(file) => {
            let bytes = match read_file_or_stdin(file) {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("error: cannot read --json-body {file}: {e}");
                    return ExitCode::from(EXIT_USAGE);
                }
            };
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                eprintln!("error: --json-body {file} is not JSON: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
            Some(bytes)
        }
    };
    match client.send_raw(None, method, path, body).await {
        Ok(response) => {
            write_out(&response.into_inner());
            ExitCode::SUCCESS
        }
        Err(e) => report(e.into()),
    }
}

/// `--all`: the client's walk (`polytomic::paging::walk_json`, the one behind `items()`: a repeated token
/// is an error, events by time come out once each), each page the command run again with the parameter the
/// walk sets; the items printed as JSON lines as each page arrives.
async fn every_item(
    cli: &Cli<Output>,
    cmd: CliCommand,
    first: &ArgMatches,
    paging: Paging,
    output: &Output,
) -> ExitCode {
    use futures_util::StreamExt as _;
    let leaf = std::cell::RefCell::new(leaf(cmd));
    // A command that fails keeps its own error, for its exit status.
    let failed = std::cell::RefCell::new(None::<anyhow::Error>);
    let (leaf, failed_ref) = (&leaf, &failed);
    let items = polytomic::paging::walk_json(
        first.clone(),
        paging,
        move |matches: ArgMatches, name, value| {
            with_value(&mut leaf.borrow_mut(), &matches, &kebab(name), &value)
                .map_err(|e| Error::InvalidRequest(format!("cannot ask for the next page: {e}")))
        },
        move |matches: ArgMatches| async move {
            if let Err(e) = cli.execute(cmd, &matches).await {
                *failed_ref.borrow_mut() = Some(e);
                return Err(Error::InvalidRequest("the command failed".into()));
            }
            serde_json::from_slice::<Value>(&output.take()).map_err(|e| Error::InvalidResponse {
                path: String::new(),
                message: e.to_string(),
                excerpt: String::new(),
            })
        },
    );
    let mut items = std::pin::pin!(items);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    while let Some(item) = items.next().await {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let _ = out.flush();
                return report(failed.borrow_mut().take().unwrap_or_else(|| e.into()));
            }
        };
        // A closed stdout (`| head`): the rest is not wanted.
        if serde_json::to_writer(&mut out, &item).is_err() || out.write_all(b"\n").is_err() {
            return ExitCode::SUCCESS;
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// `matches` parsed again with `--<name> <value>` instead of what it had for `name`: the arguments given on
/// the command line, read back from `matches` (defaults and the environment apply again by themselves).
fn with_value(
    leaf: &mut Command,
    matches: &ArgMatches,
    name: &str,
    value: &str,
) -> clap::error::Result<ArgMatches> {
    let mut argv: Vec<std::ffi::OsString> = vec!["polytomic".into()];
    for id in matches.ids() {
        let id = id.as_str();
        let given = matches.value_source(id) == Some(ValueSource::CommandLine);
        let Ok(Some(occurrences)) = matches.try_get_raw_occurrences(id) else {
            continue;
        };
        // Only what takes a value is repeated: `--all` and `--wait` are added back below.
        let takes_values = leaf
            .get_arguments()
            .find(|a| a.get_id() == id)
            .is_some_and(|a| a.get_action().takes_values());
        if id == name || !given || !takes_values {
            continue;
        }
        for values in occurrences {
            argv.push(format!("--{id}").into());
            argv.extend(values.map(ToOwned::to_owned));
        }
    }
    argv.extend([format!("--{name}").into(), value.into()]);
    for flag in ["all", "wait"] {
        if matches.try_get_one::<bool>(flag).ok().flatten() == Some(&true) {
            argv.push(format!("--{flag}").into());
        }
    }
    leaf.try_get_matches_from_mut(argv)
}

/// `--wait`: polls the declared waiter for the work the command started, until it is final.
async fn wait(
    client: &Client,
    waiter: &'static Waiter,
    start: &StartedBy,
    matches: &ArgMatches,
    output: &Output,
    max_wait: Option<u64>,
) -> ExitCode {
    let started: Value = serde_json::from_slice(&output.take()).unwrap_or(Value::Null);
    let mut path = waiter.path.to_string();
    for (parameter, source) in start.arguments {
        let value = match source {
            Source::Parameter(name) => matches
                .get_raw(&kebab(name))
                .and_then(|mut v| v.next())
                .and_then(|v| v.to_str())
                .map(str::to_string),
            Source::Response(pointer) => started
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            // The start answered without the work to wait for (a model created at once, say).
            write_out(&serde_json::to_vec_pretty(&started).unwrap_or_default());
            eprintln!("nothing to wait for: the response names no {parameter} ({source:?})");
            return ExitCode::SUCCESS;
        };
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
        {
            eprintln!(
                "error: cannot wait: {parameter} {:?} is not an identifier",
                shorten(&value)
            );
            return ExitCode::from(EXIT_RESPONSE);
        }
        path = path.replace(&format!("{{{parameter}}}"), &value);
    }
    let mut policy = polytomic::waiting::WaitPolicy::default();
    if let Some(seconds) = max_wait {
        policy.max_wait = Duration::from_secs(seconds);
    }
    let progress = Progress::new();
    let shown = progress.clone();
    let path = path.as_str();
    let outcome = polytomic::waiting::Wait::new(waiter, move || async move {
        let response = client
            .send_raw(Some(waiter.operation), reqwest::Method::GET, path, None)
            .await?;
        let (status, headers) = (response.status(), response.headers().clone());
        let body = serde_json::from_slice::<Value>(&response.into_inner()).map_err(|e| {
            Error::InvalidResponse {
                path: String::new(),
                message: e.to_string(),
                excerpt: String::new(),
            }
        })?;
        Ok(ResponseValue::new(body, status, headers))
    })
    .policy(policy)
    .on_state(move |p| shown.show(p.status, p.known, p.elapsed))
    .send()
    .await;
    progress.finish();
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => return report(e.into()),
    };
    let (code, said) = match &outcome {
        Outcome::Succeeded(_) => (0, None),
        Outcome::Failed(_) => (EXIT_FAILED, Some("the work failed")),
        Outcome::Canceled(_) => (EXIT_CANCELED, Some("the work was canceled")),
        Outcome::TimedOut(_) => (
            EXIT_TIMED_OUT,
            Some("--max-wait passed before the work was done"),
        ),
    };
    write_out(&serde_json::to_vec_pretty(&outcome.into_inner()).unwrap_or_default());
    if let Some(said) = said {
        eprintln!("error: {said}");
    }
    ExitCode::from(code)
}

/// `--wait`'s progress on stderr: a spinner on a terminal, else one line per change of state.
#[derive(Clone)]
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    last: Arc<Mutex<String>>,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            last: Arc::default(),
        }
    }

    fn show(&self, status: &str, known: bool, elapsed: Duration) {
        let status = if status.is_empty() {
            "(no status)"
        } else {
            status
        };
        let line = format!(
            "{}{}",
            shorten(status),
            if known {
                ""
            } else {
                " (a state this client does not know)"
            }
        );
        match &self.bar {
            Some(bar) => bar.set_message(format!("{line} after {}s", elapsed.as_secs())),
            None => {
                let Ok(mut last) = self.last.lock() else {
                    return;
                };
                if *last != line {
                    eprintln!("{line}");
                    *last = line;
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A server's text, bounded for a message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

/// Prints the failure on stderr and picks the exit status for its class.
fn report(error: anyhow::Error) -> ExitCode {
    let error = match error.downcast::<progenitor_client::Error<polytomic::types::ApiError>>() {
        Ok(error) => Error::from(error),
        // Not an API call failure: a bad --json-body file, an empty --role-ids...
        Err(other) => match other.downcast::<Error>() {
            Ok(error) => error,
            Err(other) => {
                eprintln!("error: {other:#}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    eprintln!("error: {error}");
    if let Error::Api { error: body, .. } = &error
        && let Ok(json) = serde_json::to_string_pretty(body)
    {
        eprintln!("{json}");
    }
    ExitCode::from(match error {
        Error::Api { .. } | Error::UnexpectedResponse { .. } => EXIT_API,
        Error::Timeout(_) | Error::Connection(_) => EXIT_NETWORK,
        Error::InvalidResponse { .. } => EXIT_RESPONSE,
        _ => EXIT_USAGE,
    })
}

/// `CliConfig` hooks that put `--role-ids` into the request body.
macro_rules! role_ids_hooks {
    ($($hook:ident: $builder:ident),* $(,)?) => {$(
        fn $hook(&self, matches: &ArgMatches, request: &mut builder::$builder) -> anyhow::Result<()> {
            if let Some(ids) = Self::role_ids(matches)? {
                *request = request.clone().body_map(|body| body.role_ids(ids));
            }
            Ok(())
        }
    )*};
}

/// How the generated CLI prints: on stdout, the JSON the server sent (once it decoded: the response is
/// the spec's), not the typed value encoded again, which would drop what the document does not know.
/// With `hold`, nothing is printed: `--wait` and `--all` take the body and print what they must.
/// Errors are printed once, by `report`.
#[derive(Clone)]
struct Output {
    sent: Sent,
    hold: bool,
}

impl Output {
    fn role_ids(matches: &ArgMatches) -> anyhow::Result<Option<RoleIds>> {
        let Some(ids) = matches.get_many::<uuid::Uuid>("role-ids") else {
            return Ok(None);
        };
        Ok(Some(RoleIds::new(ids.copied().collect())?))
    }

    /// The body of the last success, taken.
    fn take(&self) -> Vec<u8> {
        self.sent
            .lock()
            .ok()
            .and_then(|mut sent| sent.take())
            .unwrap_or_default()
    }
}

/// Writes `bytes` and a newline to stdout. A closed stdout (`polytomic ... | head`) is not an error worth a
/// panic: the rest of the output is simply not wanted.
fn write_out(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    if !bytes.ends_with(b"\n") {
        let _ = out.write_all(b"\n");
    }
}

/// Prints `value` as JSON on stdout.
fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_vec_pretty(value) {
        Ok(json) => write_out(&json),
        Err(e) => eprintln!("error: cannot print the response as JSON: {e}"),
    }
}

impl CliConfig for Output {
    fn success_item<T>(&self, _: &ResponseValue<T>)
    where
        T: serde::Serialize + std::fmt::Debug,
    {
        if self.hold {
            return;
        }
        match self.sent.lock().ok().and_then(|mut sent| sent.take()) {
            Some(body) => write_out(&body),
            // The client shows every success body to `on_success_body` before decoding it, so this is not
            // reached; encoding `value` again would print something other than what the server sent.
            None => eprintln!("error: the response decoded, but its body was not kept to print"),
        }
    }

    fn success_no_item(&self, _: &ResponseValue<()>) {}

    fn error<T>(&self, _: &progenitor_client::Error<T>)
    where
        T: serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_start<T>(&self)
    where
        T: serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_item<T>(&self, value: &T)
    where
        T: serde::Serialize + std::fmt::Debug,
    {
        print_json(value);
    }

    fn list_end_success<T>(&self)
    where
        T: serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_end_error<T>(&self, _: &progenitor_client::Error<T>)
    where
        T: serde::Serialize + std::fmt::Debug,
    {
    }

    // The `--role-ids` flag added in `leaf()`, applied to the bodies the spec gives `role_ids`.
    declared::role_ids_operations!(role_ids_hooks);
}
