//! Every open object (a struct with a flattened `extra` map, `lossless.rs`) gets a `Deserialize` written
//! here instead of serde's derive. The derive reads `#[serde(flatten)]` by buffering every property it does
//! not know and writing a dozen more visitor methods per struct; over 222 structs that was a fifth of the
//! client's build (BENCHMARKS.md). The impl written here reads each property straight into its field or
//! into `extra`, through `crate::open_object`, and keeps the derive's rules from the field's `#[serde]`
//! attributes: the JSON name (`rename`), the value when absent (`default`, `default = ".."`, `None` for an
//! `Option`, else serde's "missing field"), "duplicate field", and serde's own errors for a bad value.
//! Serialization keeps serde's derive. A pass over the syntax tree, counted against the opened schemas; a
//! `#[serde]` attribute on the struct, or one on a field that it does not read, is refused. One difference
//! from the derive, in formats other than JSON: a property name that is not a string, or a value of an
//! unknown property that does not read as JSON, is an error where it stands, while the derive reports it
//! after any missing field (with the same message).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, ItemStruct};

use super::lossless::has_extra;
use super::tree::{derives, drop_derive, json_name, lit_str, module, serde_metas};

/// Writes the `Deserialize` of every struct in `types` with a flattened `extra`; an error if there are fewer
/// than the `opened_objects`.
pub fn read_directly(file: &mut syn::File, opened_objects: usize) -> Result<(), String> {
    let types = module(&mut file.items, "types")?;
    let mut impls = Vec::new();
    for (at, item) in types.iter_mut().enumerate() {
        let Item::Struct(item) = item else { continue };
        if has_extra(&item.fields) {
            impls.push((at, deserialize_impl(item)?));
        }
    }
    // A schema the spec gave `additionalProperties` itself has such a struct too, so there may be more.
    if impls.len() < opened_objects {
        return Err(format!(
            "{opened_objects} object schemas were opened, but only {} structs in progenitor's `types` \
             have a flattened `extra` (xtask/src/generate/open_objects.rs handles typify 0.8)",
            impls.len()
        ));
    }
    for (at, item) in impls.into_iter().rev() {
        types.insert(at + 1, item);
    }
    Ok(())
}

/// Takes `Deserialize` out of the struct's derives and returns the impl that replaces it.
fn deserialize_impl(item: &mut ItemStruct) -> Result<Item, String> {
    let name = item.ident.clone();
    let refuse = |what: String| format!("struct {name}: {what}");
    if !derives(&item.attrs).iter().any(|d| d == "Deserialize") {
        return Err(refuse("does not derive Deserialize".into()));
    }
    // serde's rules for the whole struct (`rename_all`, `default`, `try_from`, ..) are not read here.
    if let Some(attr) = item.attrs.iter().find(|a| a.path().is_ident("serde")) {
        return Err(refuse(format!("`{}` is not read here", quote!(#attr))));
    }
    for field in &item.fields {
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .map_err(|e| refuse(format!("unreadable `{}`: {e}", quote!(#attr))))?;
        }
    }
    drop_derive(&mut item.attrs, "Deserialize").map_err(refuse)?;
    let (extra, named): (Vec<&syn::Field>, Vec<&syn::Field>) =
        item.fields.iter().partition(|field| {
            serde_metas(&field.attrs)
                .iter()
                .any(|m| m.path().is_ident("flatten"))
        });
    let mut names = Vec::new();
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut values = Vec::new();
    for field in &named {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| refuse("a field has no name".into()))?;
        let json = json_name(field).ok_or_else(|| refuse(format!("field {ident} has no name")))?;
        if names.contains(&json) {
            return Err(refuse(format!("two fields read the property \"{json}\"")));
        }
        // Named after the field, so that a new field adds its own lines and moves no other.
        let slot = format_ident!("f_{}", ident.to_string().trim_start_matches("r#"));
        let absent = absent(field, &json).map_err(|e| refuse(format!("field {ident}: {e}")))?;
        arms.push(quote! {
            crate::open_object::Key::Field(#json) => crate::open_object::fill(&mut #slot, &mut map, #json)?,
        });
        slots.push(quote!(let mut #slot = None;));
        values.push(quote!(#ident: #slot.#absent));
        names.push(json);
    }
    let [extra] = extra[..] else {
        return Err(refuse("has more than one flattened field".into()));
    };
    let (extra, extra_type) = (&extra.ident, &extra.ty);
    values.push(quote!(#extra: unknown));
    let expecting = format!("struct {name}");
    let tokens = quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    #[allow(deprecated)]
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#name, A::Error> {
                        const FIELDS: &[&str] = &[#(#names),*];
                        #(#slots)*
                        let mut unknown: #extra_type = ::std::default::Default::default();
                        while let Some(key) = map.next_key_seed(crate::open_object::Keys(FIELDS))? {
                            match key {
                                #(#arms)*
                                // A property the document does not name (`Keys` gives a field's name only as
                                // one of the names matched above).
                                other => {
                                    unknown.insert(other.into_name(), map.next_value()?);
                                }
                            }
                        }
                        Ok(#name { #(#values),* })
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    };
    syn::parse2(tokens).map_err(|e| refuse(format!("the impl written for it does not parse: {e}")))
}

/// What a field is when its property is absent, as a method call on its `Option` slot, by the field's
/// `#[serde]` attributes as serde's derive reads them.
fn absent(field: &syn::Field, json: &str) -> Result<TokenStream, String> {
    let mut default = None;
    let mut required_option = false;
    for meta in serde_metas(&field.attrs) {
        match &meta {
            syn::Meta::Path(p) if p.is_ident("default") => {
                default = Some(quote!(unwrap_or_default()))
            }
            syn::Meta::NameValue(nv) if nv.path.is_ident("default") => {
                let path: syn::ExprPath = lit_str(&nv.value)
                    .and_then(|p| syn::parse_str(&p).ok())
                    .ok_or("`default = ..` is not a path")?;
                default = Some(quote!(unwrap_or_else(#path)));
            }
            // A required property that may be null: present or "missing field", then read as an `Option`,
            // which is what reading it into an `Option` field does.
            syn::Meta::NameValue(nv)
                if nv.path.is_ident("deserialize_with")
                    && lit_str(&nv.value).as_deref()
                        == Some("::std::option::Option::deserialize") =>
            {
                required_option = true;
            }
            syn::Meta::NameValue(nv)
                if nv.path.is_ident("rename") && lit_str(&nv.value).is_some() => {}
            syn::Meta::NameValue(nv) if nv.path.is_ident("skip_serializing_if") => {}
            other => {
                return Err(format!("`#[serde({})]` is not read here", quote!(#other)));
            }
        }
    }
    // typify names `Option` by its full path; serde's derive gives an absent one `None`.
    let option = matches!(&field.ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.leading_colon.is_some()
        && p.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>() == ["std", "option", "Option"]);
    Ok(match default {
        Some(default) => default,
        // serde's derive reads an absent `Option` as `None` (unless `deserialize_with` is given).
        None if option && !required_option => quote!(unwrap_or_default()),
        None => quote!(ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field(#json))?),
    })
}

#[cfg(test)]
mod tests {
    use syn::Item;

    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
         \x20 /a:\n    get:\n      operationId: get_a\n      responses:\n\
         \x20       '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\n\
         components:\n  schemas:\n    Thing:\n      type: object\n      additionalProperties: {}\n\
         \x20     required: [gone, name, type]\n      properties:\n\
         \x20       gone: {type: string, nullable: true}\n\
         \x20       name: {type: string}\n        type: {type: string}\n\
         \x20       note: {type: string}\n        flag: {type: boolean, default: true}\n";

    fn thing(file: &mut syn::File) -> &mut syn::ItemStruct {
        super::module(&mut file.items, "types")
            .unwrap()
            .iter_mut()
            .find_map(|item| match item {
                Item::Struct(s) if s.ident == "Thing" => Some(s),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn an_open_object_reads_each_property_by_its_attributes() {
        let (_, mut file) = super::super::progenitor_client(SPEC);
        super::read_directly(&mut file, 1).unwrap();
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        for expected in [
            "#[derive(::serde::Serialize,Clone,Debug,PartialEq,schemars::JsonSchema)]pubstructThing",
            "impl<'de>::serde::Deserialize<'de>forThing",
            "constFIELDS:&[&str]=&[\"flag\",\"gone\",\"name\",\"note\",\"type\"];",
            // Required and nullable: typify reads it through `Option`'s Deserialize; absent, it is missing.
            "#[serde(deserialize_with=\"::std::option::Option::deserialize\")]pubgone:::std::option::Option<::std::string::String>",
            "gone:f_gone.ok_or_else(||<A::Erroras::serde::de::Error>::missing_field(\"gone\",))?",
            "crate::open_object::Key::Field(\"flag\")=>{crate::open_object::fill(&mutf_flag,&mutmap,\"flag\")?}",
            "crate::open_object::Key::Field(\"type\")=>{crate::open_object::fill(&mutf_type_,&mutmap,\"type\")?}",
            "other=>{unknown.insert(other.into_name(),map.next_value()?);}",
            "flag:f_flag.unwrap_or_else(defaults::default_bool::<true>)",
            "name:f_name.ok_or_else(||<A::Erroras::serde::de::Error>::missing_field(\"name\",))?",
            "note:f_note.unwrap_or_default()",
            "type_:f_type_.ok_or_else(||<A::Erroras::serde::de::Error>::missing_field(\"type\",))?",
            "letmutunknown:::serde_json::Map<::std::string::String,::serde_json::Value,>=::std::default::Default::default();",
            "extra:unknown",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        let error = super::read_directly(&mut file, 1).unwrap_err();
        assert!(
            error.contains("struct Thing: does not derive Deserialize"),
            "{error}"
        );
    }

    #[test]
    fn a_miscount_or_an_attribute_it_does_not_read_is_refused() {
        let (_, mut file) = super::super::progenitor_client(SPEC);
        let error = super::read_directly(&mut file, 2).unwrap_err();
        assert!(
            error.contains("2 object schemas were opened, but only 1 structs"),
            "{error}"
        );

        let (_, mut file) = super::super::progenitor_client(SPEC);
        let field = thing(&mut file).fields.iter_mut().next().unwrap();
        field.attrs.push(syn::parse_quote!(#[serde(alias = "old")]));
        let error = super::read_directly(&mut file, 1).unwrap_err();
        assert!(
            error
                .contains("struct Thing: field flag: `#[serde(alias = \"old\")]` is not read here"),
            "{error}"
        );
    }
}
