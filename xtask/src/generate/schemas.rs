//! Every schema of a spec, visited in place: the named ones, and those inline in parameters, bodies,
//! responses, properties, items and compositions. The spec-level rules of generation walk it.

use openapiv3::{
    AdditionalProperties, MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr,
    Response, Schema, SchemaKind, Type,
};

use crate::names::{METHODS, operation_mut};

/// Calls `f` on every schema of `spec` that is written out (not a `$ref`), outer schemas first.
pub fn for_each_schema(spec: &mut OpenAPI, f: &mut dyn FnMut(&mut Schema)) {
    if let Some(components) = &mut spec.components {
        for schema in components.schemas.values_mut() {
            item(schema, f);
        }
        for parameter in components.parameters.values_mut() {
            in_parameter(parameter, f);
        }
        for body in components.request_bodies.values_mut() {
            if let ReferenceOr::Item(body) = body {
                body.content.values_mut().for_each(|m| in_media(m, f));
            }
        }
        for response in components.responses.values_mut() {
            in_response(response, f);
        }
    }
    for path in spec.paths.paths.values_mut() {
        let ReferenceOr::Item(path) = path else {
            continue;
        };
        path.parameters.iter_mut().for_each(|p| in_parameter(p, f));
        for method in METHODS {
            let Some(Some(operation)) = operation_mut(path, method) else {
                continue;
            };
            operation
                .parameters
                .iter_mut()
                .for_each(|p| in_parameter(p, f));
            if let Some(ReferenceOr::Item(body)) = &mut operation.request_body {
                body.content.values_mut().for_each(|m| in_media(m, f));
            }
            let responses = &mut operation.responses;
            responses.default.iter_mut().for_each(|r| in_response(r, f));
            responses
                .responses
                .values_mut()
                .for_each(|r| in_response(r, f));
        }
    }
}

fn in_parameter(parameter: &mut ReferenceOr<Parameter>, f: &mut dyn FnMut(&mut Schema)) {
    let ReferenceOr::Item(parameter) = parameter else {
        return;
    };
    let (Parameter::Query { parameter_data, .. }
    | Parameter::Header { parameter_data, .. }
    | Parameter::Path { parameter_data, .. }
    | Parameter::Cookie { parameter_data, .. }) = parameter;
    match &mut parameter_data.format {
        ParameterSchemaOrContent::Schema(schema) => item(schema, f),
        ParameterSchemaOrContent::Content(content) => {
            content.values_mut().for_each(|m| in_media(m, f));
        }
    }
}

fn in_response(response: &mut ReferenceOr<Response>, f: &mut dyn FnMut(&mut Schema)) {
    if let ReferenceOr::Item(response) = response {
        response.content.values_mut().for_each(|m| in_media(m, f));
    }
}

fn in_media(media: &mut MediaType, f: &mut dyn FnMut(&mut Schema)) {
    if let Some(schema) = &mut media.schema {
        item(schema, f);
    }
}

fn item(schema: &mut ReferenceOr<Schema>, f: &mut dyn FnMut(&mut Schema)) {
    if let ReferenceOr::Item(schema) = schema {
        walk(schema, f);
    }
}

fn boxed(schema: &mut ReferenceOr<Box<Schema>>, f: &mut dyn FnMut(&mut Schema)) {
    if let ReferenceOr::Item(schema) = schema {
        walk(schema, f);
    }
}

fn walk(schema: &mut Schema, f: &mut dyn FnMut(&mut Schema)) {
    f(schema);
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            object.properties.values_mut().for_each(|p| boxed(p, f));
            if let Some(AdditionalProperties::Schema(extra)) = &mut object.additional_properties {
                item(extra, f);
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = &mut array.items {
                boxed(items, f);
            }
        }
        SchemaKind::OneOf { one_of: all }
        | SchemaKind::AllOf { all_of: all }
        | SchemaKind::AnyOf { any_of: all } => all.iter_mut().for_each(|s| item(s, f)),
        SchemaKind::Not { not } => item(not, f),
        SchemaKind::Any(any) => {
            any.properties.values_mut().for_each(|p| boxed(p, f));
            if let Some(AdditionalProperties::Schema(extra)) = &mut any.additional_properties {
                item(extra, f);
            }
            any.items.iter_mut().for_each(|i| boxed(i, f));
            for list in [&mut any.one_of, &mut any.all_of, &mut any.any_of] {
                list.iter_mut().for_each(|s| item(s, f));
            }
            if let Some(not) = &mut any.not {
                item(not, f);
            }
        }
        SchemaKind::Type(_) => {}
    }
}
