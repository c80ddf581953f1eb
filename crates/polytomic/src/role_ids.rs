//! `role_ids` in request bodies: never empty.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Error;

/// The permissions roles to assign to a user: at least one role id.
///
/// The spec says `minItems: 1`, which progenitor drops; with a plain `Vec` an empty list would be left out
/// of the JSON, turning an invalid update into a successful no-op. This type cannot be empty, so the
/// mistake is an error before anything is sent. The generated request types use it through
/// `with_replacement("RoleIds", ...)` in `xtask/src/generate.rs`.
///
/// ```
/// use polytomic::RoleIds;
/// let role = uuid::Uuid::nil();
/// assert!(RoleIds::new(vec![role]).is_ok());
/// assert!(RoleIds::new(vec![]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Uuid>", into = "Vec<Uuid>")]
pub struct RoleIds(Vec<Uuid>);

impl RoleIds {
    /// Fails with [`Error::InvalidRequest`] when `ids` is empty.
    pub fn new(ids: Vec<Uuid>) -> Result<Self, Error> {
        if ids.is_empty() {
            return Err(Error::InvalidRequest(
                "role_ids must contain at least one role id; to keep the current roles, leave role_ids unset"
                    .into(),
            ));
        }
        Ok(RoleIds(ids))
    }

    /// The role ids.
    pub fn as_slice(&self) -> &[Uuid] {
        &self.0
    }
}

impl From<Uuid> for RoleIds {
    /// A single role.
    fn from(id: Uuid) -> Self {
        RoleIds(vec![id])
    }
}

impl TryFrom<Vec<Uuid>> for RoleIds {
    type Error = Error;
    fn try_from(ids: Vec<Uuid>) -> Result<Self, Error> {
        RoleIds::new(ids)
    }
}

impl From<RoleIds> for Vec<Uuid> {
    fn from(ids: RoleIds) -> Self {
        ids.0
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for RoleIds {
    fn schema_name() -> String {
        "RoleIds".into()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = generator.subschema_for::<Vec<Uuid>>().into_object();
        schema.array().min_items = Some(1);
        schema.into()
    }
}
