//! The JSON Schema of one manifest document, generated from the same tables
//! the loader uses ([`crate::field`] and the certificate-only keys below), and
//! its enforcement with the `jsonschema` crate.
//!
//! Two drafts are produced from one description: 2020-12, which tccert itself
//! validates with and `tccert schema` prints, and draft-07, the newest that
//! yaml-language-server understands. Both are committed under `schemas/`; a
//! test fails when they differ from what this module generates.
//!
//! Schema errors come back as JSON pointers; [`validate`] walks the document
//! tree to turn each into a position and a message in the user's terms: an
//! unknown key points at the key, a number where a string belongs says how to
//! quote it.

use std::sync::OnceLock;

use serde_json::{Map, Value as Json, json};

use crate::certificate::{Api, CompanyType, KeyAlgorithm, KeyParameter};
use crate::diag::{Code, Diagnostic};
use crate::field::{Check, DIGITS_PATTERN, Field, Section, VERIFY_TYPES};
use crate::manifest::FORMAT_VERSION;
use crate::manifest::tree::{Document, Format, Node, Value};
use crate::source::Files;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draft {
    Draft2020_12,
    Draft07,
}

impl Draft {
    fn uri(self) -> &'static str {
        match self {
            Draft::Draft2020_12 => "https://json-schema.org/draft/2020-12/schema",
            Draft::Draft07 => "http://json-schema.org/draft-07/schema#",
        }
    }

    fn definitions(self) -> &'static str {
        match self {
            Draft::Draft2020_12 => "$defs",
            Draft::Draft07 => "definitions",
        }
    }

    fn reference(self, name: &str) -> Json {
        json!({ "$ref": format!("#/{}/{name}", self.definitions()) })
    }

    /// The file name under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Draft::Draft2020_12 => "tccert-v1.schema.json",
            Draft::Draft07 => "tccert-v1.draft-07.schema.json",
        }
    }
}

/// The `certificate_id` the starter tree of `tccert init` holds: refused
/// by the schema, with its own diagnostic code.
pub const PLACEHOLDER_CERTIFICATE_ID: &str = "REPLACE-ME";

fn string(description: &str) -> Json {
    json!({ "type": "string", "description": description })
}

fn string_list(description: &str) -> Json {
    json!({ "type": "array", "items": { "type": "string" }, "description": description })
}

/// "API field `X`", and what `CertificateInfoSubmit` calls it where that differs.
fn api_names(field: Field) -> String {
    let info = field.info();
    match (info.legacy, info.successor) {
        (true, Some(successor)) if successor != info.api => {
            format!(
                "API field `{}` (`{successor}` in CertificateInfoSubmit).",
                info.api
            )
        }
        (true, None) => format!(
            "API field `{}` (CertificateInfoSubmit cannot send it).",
            info.api
        ),
        _ => format!("API field `{}`.", info.api),
    }
}

fn section_schema(section: Section) -> Json {
    let properties: Map<String, Json> = Field::in_section(section)
        .map(|f| {
            let info = f.info();
            let mut property = string(&format!("{} {}", info.description, api_names(f)));
            if info.check == Check::Digits {
                property["pattern"] = json!(DIGITS_PATTERN);
            }
            (info.key.to_string(), property)
        })
        .collect();
    json!({
        "type": "object",
        "description": section.description(),
        "properties": properties,
        "additionalProperties": false,
    })
}

fn verify_type_schema() -> Json {
    let info = Field::VerifyType.info();
    json!({ "enum": VERIFY_TYPES, "description": format!("{} API field `VerifyType`.", info.description) })
}

/// Keys both kinds share; each document kind adds its own.
fn common_properties(draft: Draft, kind: &str, name_description: &str) -> Map<String, Json> {
    let mut properties = Map::new();
    properties.insert("apiVersion".into(), json!({ "const": FORMAT_VERSION }));
    properties.insert("kind".into(), json!({ "const": kind }));
    properties.insert("name".into(), string(name_description));
    properties.insert(
        "profiles".into(),
        string_list(
            "Profiles to build on, merged left to right; each profile's own profiles first.",
        ),
    );
    properties.insert("verify_type".into(), verify_type_schema());
    properties.insert(
        "account".into(),
        string("The Account (a `kind: Account` document) whose credentials and site send the certificate; without one, the default credentials. A certificate's own `account` wins over its profiles'."),
    );
    properties.insert("purchase".into(), draft.reference("purchase"));
    properties.insert(
        "confirm_letter".into(),
        string("The confirmation letter an OV or EV order waits for (status 8), uploaded by apply (`UploadConfirmLetter`): a JPG, JPEG, PNG or PDF file of 1,024 to 1,468,006 bytes, relative to this manifest. A certificate's own wins over its profiles'."),
    );
    for section in Section::ALL {
        properties.insert(section.key().into(), draft.reference(section.key()));
    }
    properties
}

/// `purchase:`: what `CreateCertificate` buys. Every key is optional in one
/// document, since a certificate's keys merge over its profiles' key by
/// key; `product` is required after merging (checked in validation, as
/// are the ranges, against the product table).
fn purchase_schema() -> Json {
    json!({
        "type": "object",
        "description": "Buy the certificate (`CreateCertificate`) when the account holds none tagged `tccert:certificate` with this certificate's name. Not with `certificate_id`.",
        "properties": {
            "product": { "type": "integer", "description": "The product (API field `ProductId`), a number of the official table (docs/products.md). Required after merging." },
            "years": { "type": "integer", "description": "Years (API field `TimeSpan`), 1 to 5; more than 1 only for multi-year products. Default 1." },
            "domain_count": { "type": "integer", "description": "Names the certificate covers (API field `DomainNum`). Default: the number of names (`domain` and `domains`)." },
            "vouchers": { "type": "boolean", "description": "Use vouchers (API field `AutoVoucher`). Default false; always sent." },
            "tags": {
                "type": "object",
                "additionalProperties": { "type": "string" },
                "description": "More tags on the bought certificate (API field `Tags`), after `tccert:certificate`, which tccert sets and which may not be set here.",
            },
        },
        "additionalProperties": false,
    })
}

/// The schema of one manifest document.
pub fn document_schema(draft: Draft) -> Json {
    let profile = common_properties(draft, "Profile", "Unique among profiles.");
    let mut certificate = common_properties(draft, "Certificate", "Unique among certificates.");
    let mut certificate_id = string(
        "The paid certificate's id (API field `CertificateId`). Unique. Or `purchase` instead.",
    );
    // `tccert init` writes a placeholder that must not validate, so that an
    // editor flags it as the checks do (`placeholder-certificate-id`). Not
    // required: a certificate may have `purchase` instead (from a profile,
    // so the check is after merging).
    certificate_id["not"] = json!({ "const": PLACEHOLDER_CERTIFICATE_ID });
    certificate.insert("certificate_id".into(), certificate_id);
    certificate.insert(
        "domain".into(),
        string(
            "The common name (API field `CertificateDomain`). Wildcards as `\"*.example.com\"`.",
        ),
    );
    certificate.insert(
        "domains".into(),
        string_list("More domain names (API field `DomainList`)."),
    );
    certificate.insert("dv".into(), json!({ "type": "boolean", "description": "A DV certificate (API field `IsDV`): organization, admin and contact become optional. Default false." }));
    certificate.insert("company_type".into(), json!({
        "enum": CompanyType::ALL.map(CompanyType::as_str),
        "description": "Who applies, sent as `CompanyType` by CertificateInfoSubmit: company (2) or individual (1, only with `dv: true`). Default: individual for `dv: true`, else company. SubmitCertificateInformation cannot send it.",
    }));
    certificate.insert("csr".into(), draft.reference("csr"));
    certificate.insert("commit".into(), json!({ "type": "boolean", "description": "After submitting, also send the order to the CA (`CertificateOrderSubmit`). Default false." }));
    certificate.insert("api".into(), json!({
        "enum": Api::ALL.map(Api::name),
        "description": "Which action submits the information: SubmitCertificateInformation (the default) or its maintained successor CertificateInfoSubmit. Wins over `--api`.",
    }));

    let mut definitions = Map::new();
    definitions.insert(
        "profile".into(),
        json!({
            "type": "object",
            "description": "A named, reusable block of organization, admin and contact details.",
            "required": ["apiVersion", "kind", "name"],
            "properties": profile,
            "additionalProperties": false,
        }),
    );
    definitions.insert(
        "certificate".into(),
        json!({
            "type": "object",
            "description": "One paid certificate and the information to submit for it.",
            "required": ["apiVersion", "kind", "name", "domain", "csr"],
            "properties": certificate,
            "additionalProperties": false,
        }),
    );
    definitions.insert(
        "csr".into(),
        json!({
            "type": "object",
            "description": "How the certificate signing request is made (API field `CsrType`).",
            "required": ["type"],
            "properties": {
                "type": { "enum": ["online", "parse"], "description": "online: Tencent Cloud makes the key and CSR; parse: upload your own CSR." },
                "key_password": string("Private key password for jks/pfx downloads (API field `KeyPassword`, `KeyPass` in CertificateInfoSubmit); only with type online. Use ${ENV} for it."),
                "key_algorithm": { "type": "string", "enum": KeyAlgorithm::ALL.map(KeyAlgorithm::as_str), "description": "The key Tencent Cloud makes, RSA (default) or ECC (API field `CsrEncryptAlgo`, CertificateInfoSubmit only); only with type online." },
                "key_parameter": { "type": "string", "enum": KeyParameter::ALL.map(KeyParameter::as_str), "description": "RSA: \"2048\" (default) or \"4096\", quoted; ECC: prime256v1 (API field `CsrKeyParameter`, CertificateInfoSubmit only); only with type online." },
                "file": string("PEM file of the CSR, relative to this manifest; only with type parse."),
                "pem": string("The CSR as inline PEM text; only with type parse."),
            },
            "additionalProperties": false,
        }),
    );
    definitions.insert("purchase".into(), purchase_schema());
    definitions.insert("account".into(), account_schema());
    for section in Section::ALL {
        definitions.insert(section.key().into(), section_schema(section));
    }

    let is_kind =
        |kind: &str| json!({ "properties": { "kind": { "const": kind } }, "required": ["kind"] });
    let mut schema = Map::new();
    schema.insert("$schema".into(), json!(draft.uri()));
    schema.insert(
        "title".into(),
        json!("tccert manifest (apiVersion tccert/v1)"),
    );
    schema.insert(
        "description".into(),
        json!("One document of a tccert manifest: a Profile, a Certificate or an Account. See https://github.com/ (project README) for the format."),
    );
    schema.insert("type".into(), json!("object"));
    schema.insert("required".into(), json!(["apiVersion", "kind"]));
    schema.insert(
        "properties".into(),
        json!({
            "apiVersion": { "const": FORMAT_VERSION, "description": "Always tccert/v1." },
            "kind": { "enum": ["Profile", "Certificate", "Account"] },
        }),
    );
    schema.insert("if".into(), is_kind("Profile"));
    schema.insert("then".into(), draft.reference("profile"));
    schema.insert(
        "else".into(),
        json!({
            "if": is_kind("Certificate"),
            "then": draft.reference("certificate"),
            "else": { "if": is_kind("Account"), "then": draft.reference("account") },
        }),
    );
    schema.insert(draft.definitions().into(), Json::Object(definitions));
    Json::Object(schema)
}

/// A `kind: Account` document. What the schema cannot say (site or
/// endpoint, not both; the credentials' `${NAME}` form; the rate's range)
/// is checked in validation, with the format's own codes.
fn account_schema() -> Json {
    let credential = |what: &str| {
        string(&format!(
            "{what}: exactly `${{NAME}}` or `${{NAME:-default}}`, read when a run talks to a real endpoint; a literal value is an error (credentials never live in manifests)."
        ))
    };
    json!({
        "type": "object",
        "description": "Credentials and a site that certificates use with `account: NAME`.",
        "required": ["apiVersion", "kind", "name"],
        "properties": {
            "apiVersion": { "const": FORMAT_VERSION },
            "kind": { "const": "Account" },
            "name": string("Unique among accounts; what `account:` names."),
            "site": { "enum": ["intl", "china"], "description": "intl (default): ssl.intl.tencentcloudapi.com; china: ssl.tencentcloudapi.com. Not with `endpoint`. --endpoint, TCCERT_ENDPOINT and --emulator replace it." },
            "endpoint": string("An https:// URL instead of `site`."),
            "secret_id": credential("The SecretId"),
            "secret_key": credential("The SecretKey"),
            "token": credential("The token of temporary credentials (optional; empty means none)"),
            "profile": string("A profile of the credential files (~/.tencentcloud/credentials, ~/.tccli/NAME.credential), instead of secret_id, secret_key and token."),
            "region": string("Sent as X-TC-Region for this account's requests; wins over --region."),
            "rate": { "type": "number", "description": "Writes a second for each write action of this account, from 0.01 to 1000; wins over --rate." },
        },
        "additionalProperties": false,
    })
}

/// The schema as `tccert schema` prints it and `schemas/` holds it.
pub fn schema_text(draft: Draft) -> String {
    let mut text = serde_json::to_string_pretty(&document_schema(draft)).unwrap_or_default();
    text.push('\n');
    text
}

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| jsonschema::draft202012::new(&document_schema(Draft::Draft2020_12)).ok())
        .as_ref()
}

/// Keys only a certificate may have.
pub const CERTIFICATE_ONLY_KEYS: [&str; 8] = [
    "certificate_id",
    "domain",
    "domains",
    "dv",
    "company_type",
    "csr",
    "commit",
    "api",
];

/// The keys of an Account.
const ACCOUNT_KEYS: [&str; 11] = [
    "apiVersion",
    "kind",
    "name",
    "site",
    "endpoint",
    "secret_id",
    "secret_key",
    "token",
    "profile",
    "region",
    "rate",
];

/// The keys a mapping at `pointer` may hold in a document of `kind`, for
/// "did you mean" hints.
fn allowed_keys(kind: &str, pointer: &str) -> Vec<&'static str> {
    let mut keys = match pointer {
        "" => vec![
            "apiVersion",
            "kind",
            "name",
            "profiles",
            "verify_type",
            "account",
            "purchase",
            "confirm_letter",
            "organization",
            "admin",
            "contact",
        ],
        "/purchase" => vec!["product", "years", "domain_count", "vouchers", "tags"],
        "/csr" => vec![
            "type",
            "key_password",
            "key_algorithm",
            "key_parameter",
            "file",
            "pem",
        ],
        _ => Vec::new(),
    };
    if pointer.is_empty() && kind == "Certificate" {
        keys.extend(CERTIFICATE_ONLY_KEYS);
    }
    if pointer.is_empty() && kind == "Account" {
        keys = ACCOUNT_KEYS.to_vec();
    }
    for section in Section::ALL {
        if pointer == format!("/{}", section.key()) {
            keys.extend(Field::in_section(section).map(|f| f.info().key));
        }
    }
    keys
}

/// The block directly under `pointer` (`/csr`, `/organization`, ...) that
/// has `key` among its keys: where a key found outside its block belongs.
fn block_of(kind: &str, pointer: &str, key: &str) -> Option<String> {
    let blocks = Section::ALL
        .iter()
        .map(|s| format!("{pointer}/{}", s.key()))
        .chain((kind == "Certificate").then(|| format!("{pointer}/csr")))
        .chain(std::iter::once(format!("{pointer}/purchase")));
    blocks
        .into_iter()
        .find(|block| allowed_keys(kind, block).contains(&key))
}

/// `/organization/name` → `organization.name`, `/domains/1` → `domains[1]`.
pub fn display_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        if segment.bytes().all(|b| b.is_ascii_digit()) && !segment.is_empty() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

/// The closest candidate within a small edit distance, for typos.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Other words people use for a key, each with the key it means.
const KEY_SYNONYMS: [(&str, &str); 24] = [
    ("zip", "postal_code"),
    ("zipcode", "postal_code"),
    ("postcode", "postal_code"),
    ("state", "region"),
    ("province", "region"),
    ("town", "city"),
    ("department", "division"),
    ("dept", "division"),
    ("unit", "division"),
    ("mobile", "phone"),
    ("tel", "phone"),
    ("telephone", "phone"),
    ("mobile", "phone_number"),
    ("tel", "phone_number"),
    ("telephone", "phone_number"),
    ("title", "position"),
    ("jobtitle", "position"),
    ("role", "position"),
    ("givenname", "first_name"),
    ("surname", "last_name"),
    ("familyname", "last_name"),
    ("company", "organization"),
    ("org", "organization"),
    ("san", "domains"),
];

/// Lower case, without `_`, `-` and spaces: `postalCode`, `postal-code` and
/// `postal_code` are one key.
fn folded_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// "Did you mean" for a mistyped key: the closest allowed key after
/// folding case and separators (`postalCode`, `postcode` -> `postal_code`),
/// a known synonym (`zip`, `province`, `title`), or the one key the word
/// contains or is contained in (`OrganizationCountry` -> `country`,
/// `mail` -> `email`), the closest of those winning.
pub fn suggest_key<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = folded_key(word);
    if word.is_empty() {
        return None;
    }
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if let Some(key) = KEY_SYNONYMS
        .iter()
        .filter(|(synonym, _)| *synonym == word)
        .find_map(|(_, key)| candidates.iter().find(|c| **c == *key))
    {
        return Some(key);
    }
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let folded = folded_key(candidate);
            let distance = edit_distance(&word, &folded);
            let shorter = word.len().min(folded.len());
            let contained = shorter >= 4 && (word.contains(&folded) || folded.contains(&word));
            (distance <= 2.max(folded.len() / 4) || contained).then_some((distance, candidate))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edits between two words, a swap of neighbours counting as one (the
/// optimal string alignment distance): `odmain` is 1 from `domain`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Rows i-2, i-1 and i of the table.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

/// Shows a value in a message unless it came from the environment.
pub fn quoted_value(node: &Node) -> String {
    match &node.value {
        Value::String(t) => crate::source::quote(&t.text, t.secret),
        _ => String::new(),
    }
}

/// Validates one document (its `apiVersion` and `kind` already checked)
/// against the schema, pushing one diagnostic per violation.
pub fn validate(files: &Files, document: &Document, diagnostics: &mut Vec<Diagnostic>) {
    let Some(validator) = validator() else {
        diagnostics.push(Diagnostic::error(
            Code::Schema,
            "internal error: the built-in schema does not compile",
        ));
        return;
    };
    let instance = document.root.to_json();
    let kind = match document.root.get("kind").map(|e| &e.value.value) {
        Some(Value::String(t)) => t.text.clone(),
        _ => String::new(),
    };
    let errors: Vec<_> = validator.iter_errors(&instance).collect();
    // A value of the wrong type that also misses an enum (`key_parameter:
    // 2048`, a number) is told once, as the type mismatch with its hint.
    let mistyped: Vec<String> = errors
        .iter()
        .filter(|e| {
            matches!(
                e.kind(),
                jsonschema::error::ValidationErrorKind::Type { .. }
            )
        })
        .map(|e| e.instance_path().as_str().to_string())
        .collect();
    for error in errors {
        let pointer = error.instance_path().as_str().to_string();
        if matches!(
            error.kind(),
            jsonschema::error::ValidationErrorKind::Enum { .. }
        ) && mistyped.contains(&pointer)
        {
            continue;
        }
        let node = document.root.pointer(&pointer).unwrap_or(&document.root);
        let path = display_path(&pointer);
        let diagnostic = match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let span = document.root.key_span(&pointer, key).unwrap_or(node.span);
                    let within = if path.is_empty() {
                        format!("a {kind}")
                    } else {
                        format!("`{path}`")
                    };
                    let mut d = Diagnostic::error(
                        Code::UnknownKey,
                        format!("`{key}` is not a key of {within}"),
                    )
                    .at(span)
                    .with_label("unknown key");
                    if kind == "Profile"
                        && pointer.is_empty()
                        && CERTIFICATE_ONLY_KEYS.contains(&key.as_str())
                    {
                        d = d.note(format!("`{key}` belongs to certificates only; profiles hold organization, admin, contact and verify_type"));
                    } else if let Some(near) = suggest_key(key, allowed_keys(&kind, &pointer)) {
                        d = d.hint(format!("did you mean `{near}`?"));
                    } else if let Some(block) = block_of(&kind, &pointer, key) {
                        // A key of a block, outside it: an indentation slip.
                        d = d.hint(format!(
                            "did you mean `{}.{key}`? indent it under `{}:`",
                            display_path(&block),
                            block.rsplit('/').next().unwrap_or_default()
                        ));
                    }
                    diagnostics.push(d);
                }
                continue;
            }
            jsonschema::error::ValidationErrorKind::Type { kind } => {
                type_mismatch(files, document.format, node, &path, kind)
            }
            jsonschema::error::ValidationErrorKind::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                let span = if pointer.is_empty() {
                    document.root.get("kind").map_or(node.span, |e| e.key_span)
                } else {
                    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
                    let last = pointer.rsplit('/').next().unwrap_or_default();
                    document.root.key_span(parent, last).unwrap_or(node.span)
                };
                let within = if path.is_empty() {
                    "this document".to_string()
                } else {
                    format!("`{path}`")
                };
                Diagnostic::error(
                    Code::MissingKey,
                    format!("{within} is missing the required key `{key}`"),
                )
                .at(span)
            }
            jsonschema::error::ValidationErrorKind::Enum { options } => {
                let choices: Vec<&str> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                let mut d = Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "`{path}` must be one of {}; found {}",
                        choices.join(", "),
                        describe(node)
                    ),
                )
                .at(node.span);
                if let Value::String(t) = &node.value
                    && let Some(near) =
                        suggest(&t.text, choices.iter().copied()).filter(|_| !t.secret)
                {
                    d = d.hint(format!("did you mean `{near}`?"));
                }
                d
            }
            jsonschema::error::ValidationErrorKind::Not { .. } if pointer == "/certificate_id" => {
                Diagnostic::error(
                    Code::PlaceholderCertificateId,
                    format!("`certificate_id` is still the placeholder `{PLACEHOLDER_CERTIFICATE_ID}`"),
                )
                .at(node.span)
                .with_label("replace with the certificate's id")
                .hint("replace with the certificate's id from the SSL console (Certificates > ID, e.g. `abcd1234`)")
            }
            jsonschema::error::ValidationErrorKind::Pattern { pattern } if pattern == DIGITS_PATTERN => {
                Diagnostic::error(
                    Code::InvalidId,
                    format!("`{path}` must be a string of digits; found {}", describe(node)),
                )
                .at(node.span)
                .note("company and manager ids are numbers the console, DescribeCompanies and DescribeManagers show")
            }
            _ => Diagnostic::error(Code::Schema, format!("`{path}`: {error}")).at(node.span),
        };
        diagnostics.push(diagnostic);
    }
    if kind == "Certificate" {
        missing_identity(&document.root, diagnostics);
    }
    whole_numbers(files, document, diagnostics);
}

/// JSON Schema counts `9.0` as an integer; the format does not (values are
/// never coerced): a float in `purchase`'s integers is a type mismatch.
fn whole_numbers(files: &Files, document: &Document, diagnostics: &mut Vec<Diagnostic>) {
    for key in ["product", "years", "domain_count"] {
        let pointer = format!("/purchase/{key}");
        if let Some(node) = document.root.pointer(&pointer)
            && matches!(node.value, Value::Float(_))
        {
            let source_text = files.text_at(node.span).unwrap_or_default();
            diagnostics.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`purchase.{key}` must be an integer, but {} reads `{source_text}` as {}",
                        document.format.name(),
                        node.type_name()
                    ),
                )
                .at(node.span)
                .hint("write it without a decimal point"),
            );
        }
    }
}

/// A certificate needs `certificate_id` or `purchase`. `purchase` may come
/// from a profile, so a document that names profiles is checked after
/// merging (in validation); one that names none is told here, with the
/// other missing keys.
fn missing_identity(root: &Node, diagnostics: &mut Vec<Diagnostic>) {
    let names_profiles = root
        .get("profiles")
        .is_some_and(|e| !matches!(&e.value.value, Value::Sequence(items) if items.is_empty()));
    if root.get("certificate_id").is_some() || root.get("purchase").is_some() || names_profiles {
        return;
    }
    let span = root.get("kind").map_or(root.span, |e| e.key_span);
    diagnostics.push(
        Diagnostic::error(
            Code::MissingKey,
            "this document is missing the required key `certificate_id` (or `purchase`)",
        )
        .at(span)
        .note("`certificate_id` names a certificate already bought; `purchase` buys one (with apply --allow-purchase)"),
    );
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::String(_) => quoted_value(node),
        _ => node.type_name().to_string(),
    }
}

fn type_mismatch(
    files: &Files,
    format: Format,
    node: &Node,
    path: &str,
    kind: &jsonschema::error::TypeKind,
) -> Diagnostic {
    let expected = match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(set) => set
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    };
    let article = if expected.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let expected = match expected.as_str() {
        "array" => "a list".to_string(),
        "object" => "a mapping".to_string(),
        other => format!("{article} {other}"),
    };
    let source_text = files.text_at(node.span).unwrap_or_default();
    let mut d = Diagnostic::error(
        Code::TypeMismatch,
        format!(
            "`{path}` must be {expected}, but {} reads `{source_text}` as {}",
            format.name(),
            node.type_name()
        ),
    )
    .at(node.span);
    let scalar = matches!(
        node.value,
        Value::Integer(_) | Value::Float(_) | Value::Bool(_) | Value::Null
    );
    if let Some(fix) = obvious_fix(format, node, path, &expected) {
        d = d.hint(fix);
    }
    if expected == "a string" && scalar {
        let hint = match format {
            Format::Yaml => format!("quote it to keep it exactly as written: \"{source_text}\""),
            Format::Toml => format!("write it as a string: \"{source_text}\""),
        };
        d = d.hint(hint);
        if let Value::Integer(n) = node.value
            && source_text.starts_with('0')
            && source_text.len() > 1
        {
            d = d.note(format!(
                "unquoted, the leading zero is lost: it would be sent as \"{n}\""
            ));
        }
    }
    d
}

/// The fix for a type mismatch when it is plain what was meant: a yes/no
/// word where a boolean belongs (`dv: yes`, a string to YAML 1.2), one
/// string where a list belongs (`profiles = "acme"`). Never for a value
/// from the environment.
fn obvious_fix(format: Format, node: &Node, path: &str, expected: &str) -> Option<String> {
    let Value::String(text) = &node.value else {
        return None;
    };
    if text.secret {
        return None;
    }
    let key = path.rsplit('.').next().unwrap_or(path);
    let (value, why) = match expected {
        "a boolean" => match text.text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "on" | "true" => (
                "true".to_string(),
                "booleans are `true` and `false`, unquoted",
            ),
            "no" | "n" | "off" | "false" => (
                "false".to_string(),
                "booleans are `true` and `false`, unquoted",
            ),
            _ => return None,
        },
        "a list" => {
            let plain = text
                .text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            let item = if plain && format == Format::Yaml {
                text.text.clone()
            } else {
                serde_json::Value::String(text.text.clone()).to_string()
            };
            (
                format!("[{item}]"),
                "a list, even of one item, is in brackets",
            )
        }
        _ => return None,
    };
    let written = match format {
        Format::Yaml => format!("{key}: {value}"),
        Format::Toml => format!("{key} = {value}"),
    };
    Some(format!("write `{written}`: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_compiles_in_both_drafts() {
        assert!(jsonschema::draft202012::new(&document_schema(Draft::Draft2020_12)).is_ok());
        assert!(jsonschema::draft7::new(&document_schema(Draft::Draft07)).is_ok());
    }

    #[test]
    fn committed_schemas_match_the_generated_ones() {
        for draft in [Draft::Draft2020_12, Draft::Draft07] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("schemas")
                .join(draft.file_name());
            let generated = schema_text(draft);
            if std::env::var_os("TCCERT_BLESS").is_some() {
                std::fs::write(&path, &generated).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == generated,
                "{} is stale: run `TCCERT_BLESS=1 cargo test schema`",
                path.display()
            );
        }
    }

    #[test]
    fn every_mergeable_field_is_in_the_schema_as_a_string() {
        let schema = document_schema(Draft::Draft2020_12);
        for field in Field::ALL {
            let info = field.info();
            let property = match info.section {
                Some(section) => &schema["$defs"][section.key()]["properties"][info.key],
                None => &schema["$defs"]["certificate"]["properties"][info.key],
            };
            assert!(property.is_object(), "{} missing", field.path());
        }
        let organization = schema["$defs"]["organization"]["properties"]
            .as_object()
            .unwrap();
        assert_eq!(
            organization.len(),
            Field::in_section(Section::Organization).count()
        );
    }

    #[test]
    fn paths_and_suggestions() {
        assert_eq!(
            display_path("/organization/phone_area_code"),
            "organization.phone_area_code"
        );
        assert_eq!(display_path("/domains/2"), "domains[2]");
        assert_eq!(
            suggest("orgnization", allowed_keys("Profile", "")),
            Some("organization")
        );
        assert_eq!(
            suggest("frist_name", allowed_keys("Profile", "/admin")),
            Some("first_name")
        );
        assert_eq!(
            suggest("domian", allowed_keys("Certificate", "")),
            Some("domain")
        );
        assert_eq!(suggest("domian", allowed_keys("Profile", "")), None);
        assert_eq!(suggest("zzzzzz", allowed_keys("Certificate", "")), None);
        assert_eq!(edit_distance("odmain", "domain"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    /// Every key of the format, misspelt the usual ways, is suggested back.
    #[test]
    fn every_key_gets_a_did_you_mean() {
        let pointers = [
            "",
            "/csr",
            "/purchase",
            "/organization",
            "/admin",
            "/contact",
        ];
        for kind in ["Certificate", "Profile"] {
            for pointer in pointers {
                let keys = allowed_keys(kind, pointer);
                for key in &keys {
                    let camel: String = key
                        .split('_')
                        .enumerate()
                        .map(|(i, part)| {
                            let mut chars = part.chars();
                            match (i, chars.next()) {
                                (0, Some(c)) => format!("{c}{}", chars.as_str()),
                                (_, Some(c)) => {
                                    format!("{}{}", c.to_ascii_uppercase(), chars.as_str())
                                }
                                _ => String::new(),
                            }
                        })
                        .collect();
                    let mut swapped: Vec<char> = key.chars().collect();
                    swapped.swap(0, 1);
                    let swapped: String = swapped.into_iter().collect();
                    let dropped: String = key
                        .chars()
                        .enumerate()
                        .filter(|(i, _)| *i != key.len() / 2)
                        .map(|(_, c)| c)
                        .collect();
                    for typo in [
                        camel,
                        key.replace('_', "-"),
                        key.to_uppercase(),
                        swapped,
                        dropped,
                    ] {
                        if typo == *key || keys.contains(&typo.as_str()) {
                            continue;
                        }
                        assert_eq!(
                            suggest_key(&typo, keys.iter().copied()),
                            Some(*key),
                            "{kind} {pointer}: `{typo}`"
                        );
                    }
                }
            }
        }
        let organization = allowed_keys("Profile", "/organization");
        for (typo, key) in [
            ("postcode", "postal_code"),
            ("zip", "postal_code"),
            ("province", "region"),
            ("OrganizationCountry", "country"),
            ("area_code", "phone_area_code"),
        ] {
            assert_eq!(
                suggest_key(typo, organization.iter().copied()),
                Some(key),
                "{typo}"
            );
        }
        let admin = allowed_keys("Profile", "/admin");
        assert_eq!(suggest_key("mail", admin.iter().copied()), Some("email"));
        assert_eq!(
            suggest_key("title", admin.iter().copied()),
            Some("position")
        );
        assert_eq!(suggest_key("colour", allowed_keys("Certificate", "")), None);
        assert_eq!(suggest_key("", admin.iter().copied()), None);
    }
}
