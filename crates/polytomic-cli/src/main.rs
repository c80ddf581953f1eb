//! `polytomic`: every operation of the Polytomic API as a subcommand, on top of the generated clap CLI (`generated.rs`).
//!
//! ```sh
//! polytomic update-current-org-user --id <uuid> --role-ids <uuid> [<uuid>...]
//! ```
//!
//! Credentials and base URL come from flags or from the environment the client reads
//! (`POLYTOMIC_API_KEY`, `POLYTOMIC_BASE_URL`); the response goes to stdout as JSON. Exit status: 0 success,
//! 2 bad arguments or configuration, 3 the API answered with an error, 4 network failure or timeout,
//! 5 a response that does not match the spec.

#[rustfmt::skip]
#[allow(clippy::all, missing_docs, unused)]
mod generated;

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Arg, ArgAction, ArgMatches, Command};
use generated::{Cli, CliCommand, CliConfig};
use polytomic::generated::{ResponseValue, builder};
use polytomic::{Client, Error, RoleIds};

const EXIT_USAGE: u8 = 2;
const EXIT_API: u8 = 3;
const EXIT_NETWORK: u8 = 4;
const EXIT_RESPONSE: u8 = 5;

fn command() -> Command {
    let global = |arg: Arg| arg.global(true).hide_env_values(true);
    let mut root = Command::new("polytomic")
        .about("The Polytomic API from the command line. Prints responses as JSON. Commands are listed by resource (connections, models, syncs, bulk syncs, ..., users).")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg(global(
            Arg::new("api-key")
                .long("api-key")
                .env("POLYTOMIC_API_KEY")
                .help("User API key (Bearer), or the organization-scoped key with --key-organization-id (Basic)"),
        ))
        .arg(global(
            // Not `--organization-id`: request bodies have an `organization_id` field with that flag.
            Arg::new("key-organization-id")
                .long("key-organization-id")
                .env("POLYTOMIC_ORGANIZATION_ID")
                .help("Send --api-key as the organization-scoped key of this organization (Basic)"),
        ))
        .arg(global(
            Arg::new("partner-key")
                .long("partner-key")
                .env("POLYTOMIC_PARTNER_KEY")
                .help("Partner API key (Bearer), for the partner commands; with --api-key too, each command uses the key it takes"),
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
    // By resource, in the spec's order of resources (`polytomic --help` lists them so).
    let mut commands: Vec<CliCommand> = CliCommand::iter().collect();
    let rank = |cmd: &CliCommand| {
        let resource = polytomic::operations::resource(cmd.operation_id());
        polytomic::operations::RESOURCES
            .iter()
            .position(|r| *r == resource)
            .unwrap_or(usize::MAX)
    };
    commands.sort_by_key(rank);
    for cmd in commands {
        let name = cmd.operation_id().replace('_', "-");
        let mut sub = Cli::<Output>::get_command(cmd).name(name);
        // The list of commands shows the summary; `<command> --help` the whole description.
        if let Some(about) = sub.get_about().map(|a| a.to_string()) {
            let summary = about.lines().next().unwrap_or_default().to_string();
            sub = sub.about(summary).long_about(about);
        }
        if takes_role_ids(&cmd) {
            // progenitor's CLI has flags for scalar body fields only; role_ids is a list.
            sub = sub.arg(
                Arg::new("role-ids")
                    .long("role-ids")
                    .num_args(1..)
                    .action(ArgAction::Append)
                    .value_parser(clap::value_parser!(uuid::Uuid))
                    .help(
                        "Identifiers of the permissions roles to assign to the user (at least one)",
                    ),
            );
        }
        root = root.subcommand(sub);
    }
    root
}

fn takes_role_ids(cmd: &CliCommand) -> bool {
    matches!(
        cmd,
        CliCommand::CreateCurrentOrgUser
            | CliCommand::UpdateCurrentOrgUser
            | CliCommand::CreatePartnerUser
            | CliCommand::UpdatePartnerUser
    )
}

/// The body of the last success response, as the server sent it.
type Sent = Arc<Mutex<Option<Vec<u8>>>>;

fn client(matches: &ArgMatches, sent: &Sent) -> Result<Client, Error> {
    let arg = |name: &str| {
        matches
            .get_one::<String>(name)
            .filter(|v| !v.is_empty())
            .cloned()
    };
    // Both keys may be given: the client sends each operation the kind it takes.
    let mut builder = Client::builder().keys(
        arg("api-key"),
        arg("key-organization-id"),
        arg("partner-key"),
    );
    if !builder.has_credentials() {
        return Err(Error::InvalidConfig(
            "no credentials: pass --api-key or --partner-key, or set POLYTOMIC_API_KEY or POLYTOMIC_PARTNER_KEY".into(),
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
    let matches = match command().try_get_matches() {
        Ok(matches) => matches,
        // Help and version go to stdout with status 0; mistakes to stderr with status 2.
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let Some((name, sub_matches)) = matches.subcommand() else {
        return ExitCode::from(EXIT_USAGE);
    };
    let Some(cmd) = CliCommand::iter().find(|c| c.operation_id().replace('_', "-") == name) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let sent = Sent::default();
    let client = match client(&matches, &sent) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match Cli::new(client, Output { sent })
        .execute(cmd, sub_matches)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(e),
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
/// Errors are printed once, by `report`.
struct Output {
    sent: Sent,
}

impl Output {
    fn role_ids(matches: &ArgMatches) -> anyhow::Result<Option<RoleIds>> {
        let Some(ids) = matches.get_many::<uuid::Uuid>("role-ids") else {
            return Ok(None);
        };
        Ok(Some(RoleIds::new(ids.copied().collect())?))
    }
}

/// Prints `value` as JSON on stdout. A closed stdout (`polytomic ... | head`) is not an error worth a
/// panic: the rest of the output is simply not wanted.
fn print_json<T: serde::Serialize>(value: &T) {
    use std::io::Write as _;
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            let _ = writeln!(std::io::stdout().lock(), "{json}");
        }
        Err(e) => eprintln!("error: cannot print the response as JSON: {e}"),
    }
}

impl CliConfig for Output {
    fn success_item<T>(&self, value: &ResponseValue<T>)
    where
        T: serde::Serialize + std::fmt::Debug,
    {
        use std::io::Write as _;
        match self.sent.lock().ok().and_then(|mut sent| sent.take()) {
            Some(mut body) => {
                if !body.ends_with(b"\n") {
                    body.push(b'\n');
                }
                // A closed stdout (`polytomic ... | head`) is not worth a panic: the rest is not wanted.
                let _ = std::io::stdout().lock().write_all(&body);
            }
            None => print_json(value.as_ref()),
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

    // The `--role-ids` flag added in `command()`, applied to the four bodies that have role_ids.
    role_ids_hooks! {
        execute_create_current_org_user: CreateCurrentOrgUser,
        execute_update_current_org_user: UpdateCurrentOrgUser,
        execute_create_partner_user: CreatePartnerUser,
        execute_update_partner_user: UpdatePartnerUser,
    }
}
