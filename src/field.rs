//! The table of profile-mergeable fields: one row per API field that a profile
//! or a certificate may set under `organization`, `admin`, `contact` (and
//! `verify_type`).
//!
//! This table is the single source of truth for the manifest key, the API
//! name, whether the API requires the field, and how its value is checked.
//! The JSON Schema, the loader, merging, the request body and the drift
//! comparison are all driven by it, so they cannot disagree.

/// The three maps a profile carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Organization,
    Admin,
    Contact,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Organization, Section::Admin, Section::Contact];

    pub fn key(self) -> &'static str {
        match self {
            Section::Organization => "organization",
            Section::Admin => "admin",
            Section::Contact => "contact",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Section::Organization => "The organization applying for the certificate.",
            Section::Admin => "The administrator (manager) of the certificate.",
            Section::Contact => "The technical contact for the certificate.",
        }
    }
}

/// How a value is checked beyond being a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Text,
    Email,
    Country,
    VerifyType,
}

/// The allowed `verify_type` values.
pub const VERIFY_TYPES: [&str; 3] = ["DNS_AUTO", "DNS", "FILE"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    OrganizationName,
    OrganizationDivision,
    OrganizationAddress,
    OrganizationCountry,
    OrganizationCity,
    OrganizationRegion,
    PostalCode,
    PhoneAreaCode,
    PhoneNumber,
    VerifyType,
    AdminFirstName,
    AdminLastName,
    AdminPhoneNum,
    AdminEmail,
    AdminPosition,
    ContactFirstName,
    ContactLastName,
    ContactEmail,
    ContactNumber,
    ContactPosition,
}

pub struct FieldInfo {
    /// `None` for `verify_type`, which sits at the top level of a document.
    pub section: Option<Section>,
    pub key: &'static str,
    pub api: &'static str,
    /// "This field is required" in the API reference (unless `dv: true`).
    pub required: bool,
    pub check: Check,
    pub description: &'static str,
}

impl Field {
    /// In the order the API reference lists them, which is the order of the
    /// request body.
    pub const ALL: [Field; 20] = [
        Field::OrganizationName,
        Field::OrganizationDivision,
        Field::OrganizationAddress,
        Field::OrganizationCountry,
        Field::OrganizationCity,
        Field::OrganizationRegion,
        Field::PostalCode,
        Field::PhoneAreaCode,
        Field::PhoneNumber,
        Field::VerifyType,
        Field::AdminFirstName,
        Field::AdminLastName,
        Field::AdminPhoneNum,
        Field::AdminEmail,
        Field::AdminPosition,
        Field::ContactFirstName,
        Field::ContactLastName,
        Field::ContactEmail,
        Field::ContactNumber,
        Field::ContactPosition,
    ];

    pub fn info(self) -> FieldInfo {
        use Check::{Country, Email, Text};
        use Section::{Admin, Contact, Organization};
        let (section, key, api, required, check, description) = match self {
            Field::OrganizationName => (
                Some(Organization),
                "name",
                "OrganizationName",
                true,
                Text,
                "Company name.",
            ),
            Field::OrganizationDivision => (
                Some(Organization),
                "division",
                "OrganizationDivision",
                true,
                Text,
                "Department.",
            ),
            Field::OrganizationAddress => (
                Some(Organization),
                "address",
                "OrganizationAddress",
                true,
                Text,
                "Street address.",
            ),
            Field::OrganizationCountry => (
                Some(Organization),
                "country",
                "OrganizationCountry",
                true,
                Country,
                "Country, ISO 3166-1 alpha-2 code such as CN.",
            ),
            Field::OrganizationCity => (
                Some(Organization),
                "city",
                "OrganizationCity",
                true,
                Text,
                "City.",
            ),
            Field::OrganizationRegion => (
                Some(Organization),
                "region",
                "OrganizationRegion",
                true,
                Text,
                "Province or state.",
            ),
            Field::PostalCode => (
                Some(Organization),
                "postal_code",
                "PostalCode",
                false,
                Text,
                "Postal code. Quote it: \"518000\".",
            ),
            Field::PhoneAreaCode => (
                Some(Organization),
                "phone_area_code",
                "PhoneAreaCode",
                true,
                Text,
                "Landline area code. Quote it: \"0755\".",
            ),
            Field::PhoneNumber => (
                Some(Organization),
                "phone_number",
                "PhoneNumber",
                true,
                Text,
                "Landline number. Quote it.",
            ),
            Field::VerifyType => (
                None,
                "verify_type",
                "VerifyType",
                false,
                Check::VerifyType,
                "Domain validation: DNS_AUTO (Tencent Cloud DNS adds the record), DNS or FILE.",
            ),
            Field::AdminFirstName => (
                Some(Admin),
                "first_name",
                "AdminFirstName",
                true,
                Text,
                "Administrator's first name.",
            ),
            Field::AdminLastName => (
                Some(Admin),
                "last_name",
                "AdminLastName",
                true,
                Text,
                "Administrator's last name.",
            ),
            Field::AdminPhoneNum => (
                Some(Admin),
                "phone",
                "AdminPhoneNum",
                true,
                Text,
                "Administrator's mobile number. Quote it.",
            ),
            Field::AdminEmail => (
                Some(Admin),
                "email",
                "AdminEmail",
                true,
                Email,
                "Administrator's email address.",
            ),
            Field::AdminPosition => (
                Some(Admin),
                "position",
                "AdminPosition",
                true,
                Text,
                "Administrator's position.",
            ),
            Field::ContactFirstName => (
                Some(Contact),
                "first_name",
                "ContactFirstName",
                true,
                Text,
                "Contact's first name.",
            ),
            Field::ContactLastName => (
                Some(Contact),
                "last_name",
                "ContactLastName",
                true,
                Text,
                "Contact's last name.",
            ),
            Field::ContactEmail => (
                Some(Contact),
                "email",
                "ContactEmail",
                true,
                Email,
                "Contact's email address.",
            ),
            Field::ContactNumber => (
                Some(Contact),
                "phone",
                "ContactNumber",
                true,
                Text,
                "Contact's mobile number. Quote it.",
            ),
            Field::ContactPosition => (
                Some(Contact),
                "position",
                "ContactPosition",
                true,
                Text,
                "Contact's position.",
            ),
        };
        FieldInfo {
            section,
            key,
            api,
            required,
            check,
            description,
        }
    }

    pub fn api_name(self) -> &'static str {
        self.info().api
    }

    /// The manifest path, e.g. `organization.phone_area_code`.
    pub fn path(self) -> String {
        let info = self.info();
        match info.section {
            Some(section) => format!("{}.{}", section.key(), info.key),
            None => info.key.to_string(),
        }
    }

    pub fn in_section(section: Section) -> impl Iterator<Item = Field> {
        Field::ALL
            .into_iter()
            .filter(move |f| f.info().section == Some(section))
    }

    pub fn from_api_name(api: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.api_name() == api)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_fields_are_required_as_the_api_says() {
        assert_eq!(Field::ALL.iter().filter(|f| f.info().required).count(), 18);
    }

    #[test]
    fn api_names_and_paths_are_unique() {
        let apis: std::collections::HashSet<_> = Field::ALL.iter().map(|f| f.api_name()).collect();
        let paths: std::collections::HashSet<_> = Field::ALL.iter().map(|f| f.path()).collect();
        assert_eq!(apis.len(), Field::ALL.len());
        assert_eq!(paths.len(), Field::ALL.len());
        assert_eq!(
            Field::from_api_name("AdminPhoneNum"),
            Some(Field::AdminPhoneNum)
        );
    }
}
