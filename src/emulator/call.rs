//! The types of one emulated call, beneath the parameter tables
//! ([`super::params`]), the lifecycle actions ([`super::lifecycle`]) and the
//! execution ([`super::actions`]), which all use them: an error in the API's
//! envelope, a parameter's name and type, who calls, and what a call did.

use serde_json::{Map, Value};

use crate::api::status::Language;

/// An error answered in the API's own envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The JSON type a parameter must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    StringArray,
    /// An array of unsigned integers (`CertificateStatus` of DescribeCertificates).
    UIntArray,
    Bool,
    UInt,
    /// A signed 64-bit integer (`Type` of CertificateInfoSubmit).
    Int,
    /// An array of `{"TagKey": String, "TagValue": String}` (`Tags`).
    TagArray,
}

impl ParamType {
    pub(super) fn accepts(self, value: &Value) -> bool {
        match self {
            ParamType::String => value.is_string(),
            ParamType::StringArray => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            ParamType::UIntArray => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_u64)),
            ParamType::Bool => value.is_boolean(),
            ParamType::UInt => value.is_u64(),
            ParamType::Int => value.is_i64(),
            ParamType::TagArray => value.as_array().is_some_and(|items| {
                items.iter().all(|tag| {
                    tag.as_object().is_some_and(|t| {
                        t.iter().all(|(k, v)| {
                            matches!(k.as_str(), "TagKey" | "TagValue") && v.is_string()
                        })
                    })
                })
            }),
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            ParamType::String => "String",
            ParamType::StringArray => "Array of String",
            ParamType::UIntArray => "Array of Integer",
            ParamType::Bool => "Boolean",
            ParamType::UInt | ParamType::Int => "Integer",
            ParamType::TagArray => "Array of Tags",
        }
    }
}

/// One request parameter of an action.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
    pub required: bool,
}

pub(super) const fn p(name: &'static str, ty: ParamType, required: bool) -> Param {
    Param { name, ty, required }
}

/// Who asks, in which language, and when.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'a> {
    /// The account whose key pair signed; `None`: the default pairs.
    pub owner: Option<&'a str>,
    pub language: Language,
    /// Unix milliseconds, the emulator's clock.
    pub now_ms: i64,
}

/// What an action answered, and whether it changed a certificate.
#[derive(Debug, PartialEq)]
pub struct Executed {
    /// The `Response` fields, without `RequestId`.
    pub response: Map<String, Value>,
    pub changed: bool,
}
