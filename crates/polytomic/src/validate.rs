//! Checks made before anything is sent: a body the API is documented to reject is an error of the call,
//! not a round trip.

/// Rejects, before anything is sent, a body the API is documented to reject: one that sets fields the spec
/// declares exclusive (`x-polytomic-exclusive`: the Users bodies' `role` and `role_ids`), read from the
/// generated [`exclusive_fields`](crate::operations::exclusive_fields).
pub(crate) fn check_body(operation: &str, body: &[u8]) -> Result<(), String> {
    let exclusive = crate::operations::exclusive_fields(operation);
    if exclusive.is_empty() {
        return Ok(());
    }
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return Ok(());
    };
    let set: Vec<&str> = exclusive
        .iter()
        .copied()
        .filter(|f| fields.contains_key(*f))
        .collect();
    if set.len() > 1 {
        return Err(format!(
            "set either {}, not both: the API rejects a request with both (`role` is deprecated: use `role_ids`)",
            set.join(" or ")
        ));
    }
    Ok(())
}

/// Rejects an `Idempotency-Key` Polytomic would refuse: 8 to 255 letters, digits, `-` or `_` (apidocs,
/// "Idempotent requests"). The message gives the length, not the key.
pub(crate) fn check_idempotency_key(key: &[u8]) -> Result<(), String> {
    let allowed = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    if (8..=255).contains(&key.len()) && key.iter().all(allowed) {
        return Ok(());
    }
    Err(format!(
        "the Idempotency-Key must be 8 to 255 letters, digits, '-' or '_' (this one has {} characters{})",
        key.len(),
        if key.iter().all(allowed) {
            ""
        } else {
            ", some of them others"
        }
    ))
}

/// A key for one call: `pt-` and a random UUID's 32 hex digits (a valid key; the prefix tells a generated
/// key from the caller's).
pub(crate) fn new_idempotency_key() -> reqwest::header::HeaderValue {
    let key = format!("pt-{}", uuid::Uuid::new_v4().simple());
    reqwest::header::HeaderValue::from_str(&key)
        .expect("letters, digits and '-' are a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: &str = "update_current_org_user";

    #[test]
    fn idempotency_keys_are_checked_and_generated_keys_pass() {
        assert!(check_idempotency_key(b"abcd-123_XYZ").is_ok());
        assert!(check_idempotency_key(&[b'a'; 255]).is_ok());
        for bad in [
            &b"short"[..],
            &[b'a'; 256],
            b"has space 123",
            "caf\u{e9}-1234".as_bytes(),
        ] {
            let error = check_idempotency_key(bad).unwrap_err();
            assert!(
                error.contains(&format!("has {} characters", bad.len())),
                "{error}"
            );
        }
        let keys: Vec<_> = (0..100).map(|_| new_idempotency_key()).collect();
        for key in &keys {
            assert_eq!(key.len(), 35);
            assert!(key.to_str().unwrap().starts_with("pt-"));
            assert!(check_idempotency_key(key.as_bytes()).is_ok());
        }
        let unique: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());
    }

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
