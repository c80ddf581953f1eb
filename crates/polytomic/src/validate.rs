//! Checks made before anything is sent: a body the API is documented to reject is an error of the call,
//! not a round trip.

/// The operations whose docs say a body may not have both `role` and `role_ids` (the Users docs).
const ROLE_RULE_OPERATIONS: &[&str] = &[
    "create_current_org_user",
    "update_current_org_user",
    "create_partner_user",
    "update_partner_user",
];

/// Rejects, before anything is sent, a body the API is documented to reject.
pub(crate) fn check_body(operation: &str, body: &[u8]) -> Result<(), String> {
    if !ROLE_RULE_OPERATIONS.contains(&operation) {
        return Ok(());
    }
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return Ok(());
    };
    if fields.contains_key("role") && fields.contains_key("role_ids") {
        return Err("set either role_ids or the deprecated role, not both: the API rejects a request with both".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: &str = "update_current_org_user";

    #[test]
    fn rejects_role_and_role_ids_together() {
        assert!(check_body(OP, br#"{"email":"a","role":"admin","role_ids":["x"]}"#).is_err());
        assert!(check_body(OP, br#"{"email":"a","role":"admin"}"#).is_ok());
        assert!(check_body(OP, br#"{"role_ids":["x"]}"#).is_ok());
        assert!(check_body(OP, b"not json").is_ok());
        // Other operations are not checked.
        assert!(check_body("create_webhook", br#"{"role":"a","role_ids":["x"]}"#).is_ok());
    }
}
