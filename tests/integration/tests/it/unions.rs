//! The spec's `oneOf` unions have no discriminator, so the client decodes them by trying each branch. For
//! each union: every branch's full value decodes and encodes back unchanged (no field lost), into its own
//! branch where its fields tell it apart, and a value no branch holds entirely is kept whole.

use polytomic::types::{
    CreateBulkSyncRequestSchemasItems, Event, EventPayload, SchemaConfigurationFieldsItems,
    UpdateBulkSyncRequestSchemasItems,
};
use polytomic_test_support::{full_example, spec};
use serde_json::{Value, json};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> (T, Value) {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    let encoded = serde_json::to_value(&decoded).unwrap();
    (decoded, encoded)
}

/// The variant name of an EventPayload, from its Debug text.
fn variant(payload: &EventPayload) -> String {
    format!("{payload:?}")
        .split('(')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn event_payloads_keep_every_field() {
    let spec = spec();
    let branches = spec["components"]["schemas"]["EventPayload"]["oneOf"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(branches.len(), 11, "ten event kinds and the catch-all");
    for branch in &branches[..10] {
        let name = branch["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
        let payload = full_example(&spec, branch);
        let event = json!({"type": name, "event": payload});
        let (decoded, encoded): (Event, _) = round_trip(&event);
        assert_eq!(encoded, event, "{name}: a field was lost or changed");
        let kind = variant(decoded.event.as_ref().unwrap());
        // Kinds whose fields are exactly those of an earlier branch cannot be told apart without the
        // event's `type`; every other kind decodes into its own branch.
        let twins = [
            (
                "EventingBulkSyncCanceledEvent",
                "EventingBulkSyncRunningEvent",
            ),
            (
                "EventingBulkSyncCompletedWithErrorEvent",
                "EventingBulkSyncCompletedEvent",
            ),
        ];
        let expected = twins
            .iter()
            .find(|(twin, _)| *twin == name)
            .map(|(_, first)| *first)
            .unwrap_or(name);
        assert_eq!(kind, expected, "{name}");
    }
    // A payload with a field no branch knows (added upstream later) is kept whole, not trimmed to a branch.
    let mut newer = full_example(&spec, &branches[9]);
    newer["added_later"] = json!("kept");
    let (decoded, encoded): (EventPayload, _) = round_trip(&newer);
    assert_eq!(variant(&decoded), "OtherEventPayload");
    assert_eq!(encoded, newer);
}

#[test]
fn string_or_object_unions_keep_either_form() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let field = full_example(&spec, &schemas["FieldConfiguration"]);
    let schema = full_example(&spec, &schemas["SchemaConfiguration"]);
    for value in [json!("a_field"), field.clone()] {
        let (decoded, encoded): (SchemaConfigurationFieldsItems, _) = round_trip(&value);
        assert_eq!(encoded, value);
        assert_eq!(
            matches!(decoded, SchemaConfigurationFieldsItems::String(_)),
            value.is_string()
        );
    }
    for value in [json!("a_schema"), schema.clone()] {
        let (decoded, encoded): (CreateBulkSyncRequestSchemasItems, _) = round_trip(&value);
        assert_eq!(encoded, value);
        assert_eq!(
            matches!(decoded, CreateBulkSyncRequestSchemasItems::String(_)),
            value.is_string()
        );
        let (decoded, encoded): (UpdateBulkSyncRequestSchemasItems, _) = round_trip(&value);
        assert_eq!(encoded, value);
        assert_eq!(
            matches!(decoded, UpdateBulkSyncRequestSchemasItems::String(_)),
            value.is_string()
        );
    }
}
