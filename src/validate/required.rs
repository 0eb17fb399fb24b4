//! The fields each API requires of a merged certificate (docs/api.md §3):
//! `SubmitCertificateInformation`'s eighteen unless `dv: true`, and
//! `CertificateInfoSubmit`'s by `CompanyType`, `company_id` and `manager_id`.

use std::collections::BTreeMap;

use crate::certificate::{CompanyType, Setting};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::{Field, Section};
use crate::manifest::raw::{RawCertificate, RawProfile};

/// `company_id`/`manager_id` stand in for other fields only when they name
/// something: "0" is how the API spells "none" (若无…传0).
fn names_an_id(fields: &BTreeMap<Field, Setting>, field: Field) -> bool {
    fields
        .get(&field)
        .is_some_and(|s| s.value.bytes().any(|b| b != b'0'))
}

/// The required set of `CertificateInfoSubmit` (docs/api.md §3):
/// `CompanyType` 1 (an individual) needs `ContactEmail`; `CompanyType` 2 (a
/// company, DV or not) needs the organization fields unless `company_id` or
/// `manager_id` is set, and the admin and contact fields unless `manager_id`
/// is set.
pub(super) fn check_successor_fields(
    raw: &RawCertificate,
    fields: &BTreeMap<Field, Setting>,
    layers: &[&RawProfile],
    company_type: CompanyType,
    diagnostics: &mut Diagnostics,
) {
    let layer_had_errors = raw.had_errors || layers.iter().any(|p| p.had_errors);
    if layer_had_errors {
        return;
    }
    let individual = company_type == CompanyType::Individual;
    let company = names_an_id(fields, Field::CompanyId);
    let manager = names_an_id(fields, Field::ManagerId);
    // An empty value reads as missing: the API would refuse "" (and a DV
    // certificate's empty contact email is not caught as empty before this).
    let set = |field: &Field| {
        fields
            .get(field)
            .is_some_and(|s| !s.value.trim().is_empty())
    };
    let missing: Vec<(Field, &'static str)> = if individual {
        if set(&Field::ContactEmail) {
            Vec::new()
        } else {
            vec![(Field::ContactEmail, "ContactEmail")]
        }
    } else {
        Field::ALL
            .into_iter()
            .filter(|f| f.info().successor_required && !set(f))
            .filter(|f| match f.info().section {
                Some(Section::Organization) => !(company || manager),
                Some(Section::Admin | Section::Contact) => !manager,
                None => true,
            })
            .filter_map(|f| f.info().successor.map(|name| (f, name)))
            .collect()
    };
    if missing.is_empty() {
        return;
    }
    let list: Vec<String> = missing
        .iter()
        .map(|(f, name)| format!("{} ({name})", f.path()))
        .collect();
    let mut diagnostic = Diagnostic::error(
        Code::MissingField,
        format!(
            "certificate `{}` lacks {} field{} CertificateInfoSubmit requires: {}",
            raw.name.value,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            list.join(", ")
        ),
    )
    .at(raw.name.span)
    .note(merged_from(layers));
    let dv = raw.dv.as_ref().is_some_and(|d| d.value);
    diagnostic = if individual {
        diagnostic
            .note("it is sent as CompanyType 1 (an individual: `dv: true` without `company_type: company`), for which the API requires the contact email")
            .hint("set `contact.email` in the certificate or in one of its profiles")
    } else {
        if dv {
            diagnostic = diagnostic.note("`company_type: company` sends this DV certificate as a company's (CompanyType 2), which needs these fields as any company certificate does");
        }
        diagnostic.hint("set them in the certificate or in one of its profiles; or set `organization.company_id` (stands in for the organization) or `admin.manager_id` (stands in for organization, admin and contact)")
    };
    diagnostics.push(diagnostic);
}

fn merged_from(layers: &[&RawProfile]) -> String {
    if layers.is_empty() {
        "it uses no profiles".to_string()
    } else {
        format!(
            "merged from profiles: {}",
            layers
                .iter()
                .map(|p| p.name.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

pub(super) fn check_fields(
    raw: &RawCertificate,
    fields: &std::collections::BTreeMap<Field, Setting>,
    layers: &[&RawProfile],
    diagnostics: &mut Diagnostics,
) {
    let dv = raw.dv.as_ref().is_some_and(|d| d.value);
    // A field dropped for a type error in a layer would be reported again
    // here as missing: say it once.
    let layer_had_errors = raw.had_errors || layers.iter().any(|p| p.had_errors);
    if !dv && !layer_had_errors {
        let missing: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| f.info().required && !fields.contains_key(f))
            .collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing
                .iter()
                .map(|f| format!("{} ({})", f.path(), f.api_name()))
                .collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("certificate `{}` lacks {} field{} the API requires: {}", raw.name.value, missing.len(), if missing.len() == 1 { "" } else { "s" }, list.join(", ")),
                )
                .at(raw.name.span)
                .note(merged_from(layers))
                .hint("set them in the certificate or in one of its profiles, or mark a DV certificate with `dv: true`"),
            );
        }
    }
}
