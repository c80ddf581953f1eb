//! Names from the OpenAPI document that several parts of the xtask read: the operation keys of a path
//! item and the security schemes the client has credentials for.

use openapiv3::{Operation, PathItem};

/// The keys of a path item that hold operations.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// The field of `item` holding the operation for `method`; `None` when `method` is not in [`METHODS`].
pub fn operation_mut<'a>(
    item: &'a mut PathItem,
    method: &str,
) -> Option<&'a mut Option<Operation>> {
    Some(match method {
        "get" => &mut item.get,
        "put" => &mut item.put,
        "post" => &mut item.post,
        "delete" => &mut item.delete,
        "patch" => &mut item.patch,
        "head" => &mut item.head,
        "options" => &mut item.options,
        "trace" => &mut item.trace,
        _ => return None,
    })
}

/// Security schemes (`components.securitySchemes`): the user API key (Bearer), the organization-scoped key
/// (Basic), both user-side credentials, and the partner key (Bearer).
pub const BEARER_USER_API_KEY: &str = "bearerUserAPIKey";
pub const ORG_SCOPED_API_KEY: &str = "orgScopedAPIKey";
pub const BEARER_PARTNER_KEY: &str = "bearerPartnerKey";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_names_its_own_path_item_field() {
        let mut item = PathItem::default();
        for method in METHODS {
            let slot = operation_mut(&mut item, method).unwrap();
            assert!(slot.is_none(), "{method} shares a field");
            *slot = Some(Operation {
                operation_id: Some(method.into()),
                ..Default::default()
            });
        }
        // openapiv3's own walk sees each under its key.
        let seen: Vec<_> = item
            .iter()
            .map(|(m, op)| (m, op.operation_id.as_deref()))
            .collect();
        assert_eq!(seen.len(), METHODS.len());
        assert!(seen.iter().all(|(m, id)| Some(*m) == *id), "{seen:?}");
        assert!(operation_mut(&mut item, "connect").is_none());
    }

    #[test]
    fn the_committed_spec_defines_every_scheme() {
        let spec =
            crate::read_document(&crate::workspace_root().join(crate::DEFAULT_SPEC)).unwrap();
        let schemes = &spec["components"]["securitySchemes"];
        for name in [BEARER_USER_API_KEY, ORG_SCOPED_API_KEY, BEARER_PARTNER_KEY] {
            assert!(schemes.get(name).is_some(), "{name} is not in the spec");
        }
    }
}
