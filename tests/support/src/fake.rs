//! A stateful stand-in for the API, on top of the mock API: work started through an operation a waiter
//! declares (`polytomic::operations::WAITERS`) moves through a script of states, one per poll, and the
//! operations that page by token (`x-polytomic-paging` in the spec) serve a listing of any length, one page
//! per request. Everything else answers as [`mock_reply`](crate::mock_reply) does. The mock server binary
//! serves this, so `--wait` and `--all` can be tried with no account.

use std::collections::HashMap;
use std::sync::Mutex;

use polytomic::waiting::{Source, Waiter};
use serde_json::Value;

use crate::{Reply, Request, mock_reply, operation_for};

/// The stateful mock API.
pub struct Fake {
    spec: Value,
    script: Option<Vec<String>>,
    items: usize,
    /// Work started, by the path its waiter polls: polls so far.
    runs: Mutex<HashMap<String, usize>>,
    next_id: Mutex<u64>,
}

/// Items per page of a listing.
pub const PAGE: usize = 100;

impl Fake {
    /// Each run goes through its waiter's first pending state, `running` if listed, then its first
    /// `succeeded` state; listings have 250 items (3 pages).
    pub fn new(spec: Value) -> Self {
        Fake {
            spec,
            script: None,
            items: 250,
            runs: Mutex::default(),
            next_id: Mutex::new(0),
        }
    }

    /// Every run answers these states, one per poll, the last one for ever. A state that is a number
    /// (`"503"`) is answered as that error status instead, once.
    pub fn script(mut self, states: &[&str]) -> Self {
        self.script = Some(states.iter().map(|s| s.to_string()).collect());
        self
    }

    /// Listings that page by token have `items` items.
    pub fn items(mut self, items: usize) -> Self {
        self.items = items;
        self
    }

    /// The answer to `request`, and the operation it stands for.
    pub fn reply(&self, request: &Request) -> (Option<String>, Reply) {
        let (operation, reply) = mock_reply(&self.spec, request);
        let Some(id) = operation.clone() else {
            return (operation, reply);
        };
        let reply = if let Some((waiter, _)) = Waiter::for_start(&id) {
            self.start(&id, waiter, request, reply)
        } else if let Some(waiter) = polytomic::operations::WAITERS
            .iter()
            .find(|w| w.operation == id)
        {
            self.poll(waiter, request, reply)
        } else {
            self.page(request, reply)
        };
        (operation, reply)
    }

    fn new_id(&self) -> String {
        let mut next = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
        *next += 1;
        format!("00000000-0000-4000-8000-{:012x}", *next)
    }

    /// Starts a run: new ids where the waiter reads them from the response, and the run remembered by the
    /// path its waiter polls.
    fn start(&self, id: &str, waiter: &Waiter, request: &Request, reply: Reply) -> Reply {
        let Some((_, started)) = Waiter::for_start(id) else {
            return reply;
        };
        let Some(template) = template_for(&self.spec, &request.method, &request.target) else {
            return reply;
        };
        let parameters = path_parameters(&template, &request.target);
        let mut body: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
        let mut path = waiter.path.to_string();
        for (name, source) in started.arguments {
            let value = match source {
                Source::Parameter(p) => parameters.get(*p).cloned().unwrap_or_default(),
                Source::Response(pointer) => {
                    let value = self.new_id();
                    set(&mut body, pointer, Value::String(value.clone()));
                    value
                }
            };
            path = path.replace(&format!("{{{name}}}"), &value);
        }
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, 0);
        if body.is_null() {
            return reply;
        }
        Reply::json(reply.status, body.to_string())
    }

    /// The next state of a run started here (a path nothing started answers as the mock API does).
    fn poll(&self, waiter: &Waiter, request: &Request, reply: Reply) -> Reply {
        let path = request.target.split('?').next().unwrap_or_default();
        let step = {
            let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            let Some(polls) = runs.get_mut(path) else {
                return reply;
            };
            *polls += 1;
            *polls - 1
        };
        let script = self
            .script
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default_script(waiter));
        let Some(state) = script.get(step.min(script.len().saturating_sub(1))) else {
            return reply;
        };
        if let Ok(status) = state.parse::<u16>() {
            return Reply::json(
                status,
                format!(r#"{{"message":"scripted {status}","status":{status}}}"#),
            );
        }
        let mut body: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
        set(&mut body, waiter.status, Value::String(state.clone()));
        Reply::json(reply.status, body.to_string())
    }

    /// A page of a listing that pages by token: the token is the offset of the page's first item.
    fn page(&self, request: &Request, reply: Reply) -> Reply {
        let Some(operation) = operation_for(&self.spec, &request.method, &request.target) else {
            return reply;
        };
        let paging = &operation["x-polytomic-paging"];
        if paging.get("time").is_some() {
            return self.page_by_time(request, reply, paging);
        }
        let (Some(next), Some(from), Some(items_at)) = (
            paging["next"].as_str(),
            paging["from"].as_str(),
            paging["items"].as_str(),
        ) else {
            return reply;
        };
        let Ok(mut body) = serde_json::from_str::<Value>(&reply.body) else {
            return reply;
        };
        let offset: usize = query(&request.target, next)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let item = body
            .pointer(items_at)
            .and_then(|items| items.get(0))
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default()));
        let end = (offset + PAGE).min(self.items);
        let items: Vec<Value> = (offset..end)
            .map(|n| {
                let mut item = item.clone();
                if item.get("id").is_some() {
                    item["id"] = Value::String(format!("00000000-0000-4000-9000-{n:012x}"));
                }
                item
            })
            .collect();
        set(&mut body, items_at, Value::Array(items));
        let token = if end < self.items {
            end.to_string()
        } else {
            String::new()
        };
        set(&mut body, from, Value::String(token));
        Reply::json(reply.status, body.to_string())
    }
}

impl Fake {
    /// A page of a listing by time (events): the `items` items, newest first, three to a timestamp a minute
    /// apart (so page boundaries fall inside bursts), within the request's strict bounds, `limit` a page
    /// (10 by default, at most 100).
    fn page_by_time(&self, request: &Request, reply: Reply, paging: &Value) -> Reply {
        let (Some(time), Some(id), Some(after), Some(before), Some(items_at)) = (
            paging["time"].as_str(),
            paging["id"].as_str(),
            paging["after"].as_str(),
            paging["before"].as_str(),
            paging["items"].as_str(),
        ) else {
            return reply;
        };
        let Ok(mut body) = serde_json::from_str::<Value>(&reply.body) else {
            return reply;
        };
        let bound = |name: &str| {
            let value = query(&request.target, name)?
                .replace("%3A", ":")
                .replace("%2B", "+");
            chrono::DateTime::parse_from_rfc3339(&value)
                .ok()
                .map(|t| t.to_utc())
        };
        let (after, before) = (bound(after), bound(before));
        let limit: usize = query(&request.target, paging["size"].as_str().unwrap_or("limit"))
            .and_then(|l| l.parse().ok())
            .unwrap_or(10)
            .min(100);
        let start = chrono::DateTime::from_timestamp(1_758_196_800, 0).unwrap_or_default();
        let item = body
            .pointer(items_at)
            .and_then(|items| items.get(0))
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default()));
        let items: Vec<Value> = (0..self.items)
            .rev()
            .map(|n| (n, start + chrono::TimeDelta::minutes(n as i64 / 3)))
            .filter(|(_, t)| after.is_none_or(|a| *t > a) && before.is_none_or(|b| *t < b))
            .take(limit)
            .map(|(n, t)| {
                let mut item = item.clone();
                set(
                    &mut item,
                    &format!("/{id}"),
                    Value::String(format!("00000000-0000-4000-a000-{n:012x}")),
                );
                set(
                    &mut item,
                    &format!("/{time}"),
                    Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                );
                item
            })
            .collect();
        set(&mut body, items_at, Value::Array(items));
        Reply::json(reply.status, body.to_string())
    }
}

/// The first pending state, `running` if listed, then the first `succeeded` one: what a run goes through
/// unless [`Fake::script`] sets another.
pub fn default_script(waiter: &Waiter) -> Vec<String> {
    let mut script: Vec<&str> = waiter.pending.iter().take(1).copied().collect();
    if waiter.pending.contains(&"running") && script != ["running"] {
        script.push("running");
    }
    script.extend(waiter.succeeded.iter().take(1));
    script.into_iter().map(str::to_string).collect()
}

/// The path template `method` + `target` matched.
fn template_for(spec: &Value, method: &str, target: &str) -> Option<String> {
    let wanted = operation_for(spec, method, target)?;
    spec["paths"]
        .as_object()?
        .iter()
        .find_map(|(template, item)| {
            (item.get(method.to_ascii_lowercase()) == Some(&wanted)).then(|| template.clone())
        })
}

/// The values of `template`'s `{name}` segments in `target`.
fn path_parameters(template: &str, target: &str) -> HashMap<String, String> {
    let path = target.split('?').next().unwrap_or_default();
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(t, v)| {
            let name = t.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_string(), v.to_string()))
        })
        .collect()
}

/// The value of query parameter `name` (not decoded: the tokens here are digits).
fn query<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    target
        .split_once('?')?
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// Sets the value at a JSON pointer, making the objects on the way.
pub fn set(value: &mut Value, pointer: &str, new: Value) {
    let mut here = value;
    for name in pointer.trim_start_matches('/').split('/') {
        if !here.is_object() {
            *here = Value::Object(Default::default());
        }
        let Value::Object(fields) = here else {
            return;
        };
        here = fields.entry(name).or_insert(Value::Null);
    }
    *here = new;
}
