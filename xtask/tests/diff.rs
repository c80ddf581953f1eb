//! `cargo xtask diff` against its corpus (diff-corpus.yaml): each rule, both directions.

use std::process::Command;

use serde_json::{Value, json};
use xtask::diff::{Change, Severity, next_version};

fn corpus() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/diff-corpus.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The changes from `old` to `new`: both sides are generated, so the verdicts are the generated Rust's.
fn diff(old: &Value, new: &Value) -> Vec<Change> {
    xtask::diff::diff(old, new).unwrap_or_else(|e| panic!("diff: {e}"))
}

/// The case's two sides: the base (with the case's `base_change`, if any) and the base with its `change`.
fn sides(base: &Value, case: &Value) -> (Value, Value) {
    let rule = case["rule"].as_str().unwrap();
    let apply = |doc: &Value, actions: &Value| {
        let mut doc = doc.clone();
        let overlay = json!({"overlay": "1.0.0", "actions": actions});
        xtask::import::apply_overlay(&mut doc, &overlay).unwrap_or_else(|e| panic!("{rule}: {e}"));
        doc
    };
    let base = match case.get("base_change") {
        Some(actions) => apply(base, actions),
        None => base.clone(),
    };
    let changed = apply(&base, &case["change"]);
    (base, changed)
}

fn render(changes: &[xtask::diff::Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let severity = match c.severity {
                Severity::Breaking => "breaking",
                Severity::Compatible => "compatible",
                Severity::Docs => "docs",
            };
            format!("{severity}: {c}")
        })
        .collect()
}

fn assert_matches(rule: &str, direction: &str, got: &[String], expected: &Value) {
    let expected: Vec<&str> = expected
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(
        got.len(),
        expected.len(),
        "{rule} ({direction}): expected {expected:#?}, got {got:#?}"
    );
    for want in expected {
        assert!(
            got.iter().any(|g| g.contains(want)),
            "{rule} ({direction}): missing {want:?} in {got:#?}"
        );
    }
}

#[test]
fn every_rule_in_both_directions() {
    let corpus = corpus();
    let base = &corpus["base"];
    let cases = corpus["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let rule = case["rule"].as_str().unwrap();
        let (base, changed) = sides(base, case);
        let (base, changed) = (&base, &changed);
        assert_matches(
            rule,
            "forward",
            &render(&diff(base, changed)),
            &case["forward"],
        );
        assert_matches(
            rule,
            "backward",
            &render(&diff(changed, base)),
            &case["backward"],
        );
    }
}

#[test]
fn the_version_bump_follows_the_worst_change() {
    let corpus = corpus();
    let base = &corpus["base"];
    let mut removed = base.clone();
    removed["components"]["schemas"]["User"]["properties"]
        .as_object_mut()
        .unwrap()
        .shift_remove("email");
    let mut added = base.clone();
    added["components"]["schemas"]["Team"] = json!({"type": "object"});
    let mut described = base.clone();
    described["info"]["description"] = json!("x");
    described["components"]["schemas"]["User"]["description"] = json!("A user.");
    assert_eq!(
        next_version("0.1.0+2025-09-18", &diff(base, &removed)).0,
        "0.2.0"
    );
    assert_eq!(next_version("1.4.2", &diff(base, &removed)).0, "2.0.0");
    assert_eq!(
        next_version("0.1.0+2025-09-18", &diff(base, &added)).0,
        "0.1.1"
    );
    assert_eq!(next_version("1.4.2", &diff(base, &added)).0, "1.5.0");
    assert_eq!(next_version("1.4.2", &diff(base, &described)).0, "1.4.3");
    assert_eq!(
        next_version("1.4.2", &diff(base, base)),
        ("1.4.2".to_string(), "none")
    );
    // Pre-releases, from the last stable release below them; build metadata is not part of the version.
    // No change since a pre-release: it stands (release --check passes at 0.2.0-alpha.1).
    assert_eq!(
        next_version("0.2.0-alpha.1+2025-09-18", &diff(base, base)),
        ("0.2.0-alpha.1".to_string(), "none")
    );
    // A change the pre-release's bump covers: its release.
    assert_eq!(
        next_version("0.2.0-alpha.1+2025-09-18", &diff(base, &removed)).0,
        "0.2.0"
    );
    assert_eq!(next_version("2.0.0-rc.1", &diff(base, &added)).0, "2.0.0");
    assert_eq!(next_version("1.3.0-rc.1", &diff(base, &added)).0, "1.3.0");
    // A change worse than the pre-release's bump: from the last stable release (0.1.0 below 0.1.1-alpha.1;
    // 1.2.x below 1.2.3-beta and 1.x below 1.3.0-rc.1).
    assert_eq!(
        next_version("0.1.1-alpha.1", &diff(base, &removed)),
        (
            "0.2.0".to_string(),
            "minor: breaking, and 0.x crates break by bumping the minor version"
        )
    );
    assert_eq!(next_version("1.2.3-beta", &diff(base, &added)).0, "1.3.0");
    assert_eq!(
        next_version("1.2.3-beta", &diff(base, &described)).0,
        "1.2.3"
    );
    assert_eq!(next_version("1.3.0-rc.1", &diff(base, &removed)).0, "2.0.0");
    assert_eq!(next_version("2.0.0-rc.1", &diff(base, &removed)).0, "2.0.0");
    assert_eq!(
        next_version("not a version", &diff(base, &added)).1,
        "none: the current version is not semver"
    );
}

#[test]
fn the_command_reports_json_and_fails_on_breaking_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    let (old, mut new) = (corpus["base"].clone(), corpus["base"].clone());
    new["components"]["schemas"]["User"]["properties"]
        .as_object_mut()
        .unwrap()
        .shift_remove("email");
    let write = |name: &str, doc: &Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_yaml::to_string(doc).unwrap()).unwrap();
        path.display().to_string()
    };
    let (old, new) = (write("old.yaml", &old), write("new.yaml", &new));
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["diff", "--base", &old, "--spec", &new])
            .args(extra)
            .output()
            .unwrap()
    };

    let text = run(&[]);
    assert!(text.status.success());
    let report = String::from_utf8_lossy(&text.stdout);
    // The Rust items that changed, each with the spec's sentence that explains it.
    assert!(
        report.contains(
            "Breaking for existing callers (1):\n  - types::User.email: removed (was \
             `Option<String>`)\n      because schema User: property \
             `email` removed\n"
        ),
        "{report}"
    );
    let json_run = run(&["--format", "json"]);
    let report: Value = serde_json::from_slice(&json_run.stdout).unwrap();
    assert_eq!(report["breaking"], true);
    assert_eq!(
        report["changes"][0],
        json!({
            "severity": "breaking",
            "subject": "types::User.email",
            "change": "removed (was `Option<String>`)",
            "because": ["schema User: property `email` removed"],
        })
    );
    // From the workspace's version, whatever it is now, to the next minor one, in both reports.
    let current = report["version"]["current"].as_str().unwrap().to_string();
    let parsed = semver::Version::parse(&current).unwrap();
    let next = format!("{}.{}.0", parsed.major, parsed.minor + 1);
    assert_eq!(report["version"]["next"], next.as_str(), "{report}");
    let text_report = String::from_utf8_lossy(&text.stdout);
    assert!(
        text_report.contains(&format!(
            "Client crate version: {}.{}.{} → {next} (minor: breaking",
            parsed.major, parsed.minor, parsed.patch
        )),
        "{text_report}"
    );

    let gate = run(&["--fail-on-breaking"]);
    assert_eq!(gate.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gate.stderr).contains("breaking"));

    let missing = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", "--base", "no-such-rev-or-file"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("is neither a file nor a git revision")
    );
}
