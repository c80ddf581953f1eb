//! Four of the client's open objects as serde's derive reads them (`#[serde(flatten)] extra`): the oracle
//! for the `Deserialize` that `cargo xtask generate` writes instead. Between them they carry every
//! `#[serde]` attribute that pass reads: `rename`, `default`, `default = ".."`, `deserialize_with`, and
//! required, optional and `Option` fields. `../open_objects.rs` checks that each field list is the
//! generated struct's.

#![allow(dead_code)]

use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
pub struct PolicyAction {
    pub action: ::std::string::String,
    #[serde(deserialize_with = "::std::option::Option::deserialize")]
    pub role_ids: ::std::option::Option<::std::vec::Vec<::uuid::Uuid>>,
    #[serde(flatten)]
    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
}

#[derive(Deserialize, Serialize)]
pub struct FieldConfiguration {
    #[serde(default = "defaults::field_configuration_enabled")]
    pub enabled: ::std::option::Option<bool>,
    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
    pub id: ::std::option::Option<::std::string::String>,
    #[serde(default = "defaults::field_configuration_obfuscate")]
    pub obfuscate: ::std::option::Option<bool>,
    #[serde(flatten)]
    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
}

#[derive(Deserialize, Serialize)]
pub struct StartSyncRequest {
    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
    pub identities: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
    #[serde(default)]
    pub resync: bool,
    #[serde(default)]
    pub test: bool,
    #[serde(flatten)]
    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
}

#[derive(Deserialize, Serialize)]
pub struct UserFieldRequest {
    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
    pub example: ::std::option::Option<::serde_json::Value>,
    pub field_id: ::std::string::String,
    pub label: ::std::string::String,
    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
    pub path: ::std::option::Option<::std::string::String>,
    #[serde(rename = "type")]
    pub type_: ::std::string::String,
    #[serde(flatten)]
    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
}

/// The generated `types::defaults` these structs name.
mod defaults {
    pub fn field_configuration_enabled() -> Option<bool> {
        Some(true)
    }
    pub fn field_configuration_obfuscate() -> Option<bool> {
        Some(false)
    }
}
