//! The table of profile-mergeable fields: one row per API field that a profile
//! or a certificate may set under `organization`, `admin`, `contact` (and
//! `verify_type`).
//!
//! This table is the single source of truth for the manifest key, the API
//! names (in `SubmitCertificateInformation`, which `SubmittedData` shares, and
//! in its successor `CertificateInfoSubmit`, docs/api.md §3), whether
//! each API requires the field, and how its value is checked.
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
    /// An id from the console, `DescribeCompanies` or `DescribeManagers`: a
    /// string of digits.
    Digits,
}

/// The JSON Schema pattern of [`Check::Digits`].
pub const DIGITS_PATTERN: &str = "^[0-9]+$";

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
    /// `CompanyId`: only `CertificateInfoSubmit` has it.
    CompanyId,
    /// `ManagerId`: only `CertificateInfoSubmit` has it.
    ManagerId,
}

pub struct FieldInfo {
    /// `None` for `verify_type`, which sits at the top level of a document.
    pub section: Option<Section>,
    pub key: &'static str,
    /// The field's name in `SubmitCertificateInformation` and in
    /// `SubmittedData`; for the two fields only `CertificateInfoSubmit` has
    /// (`CompanyId`, `ManagerId`), its name there.
    pub api: &'static str,
    /// `SubmitCertificateInformation` sends it.
    pub legacy: bool,
    /// Its name in `CertificateInfoSubmit`; `None` when that API cannot send
    /// it (`PostalCode`).
    pub successor: Option<&'static str>,
    /// "This field is required" in the reference of
    /// `SubmitCertificateInformation` (unless `dv: true`).
    pub required: bool,
    /// Required by `CertificateInfoSubmit` for a company certificate
    /// (`CompanyType` 2) unless `company_id` (organization fields) or
    /// `manager_id` (organization, admin and contact fields) stands in.
    pub successor_required: bool,
    pub check: Check,
    pub description: &'static str,
}

impl Field {
    /// In the order the API reference lists them, which is the order of the
    /// request body.
    pub const ALL: [Field; 22] = [
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
        Field::CompanyId,
        Field::ManagerId,
    ];

    pub fn info(self) -> FieldInfo {
        use Check::{Country, Email, Text};
        use Section::{Admin, Contact, Organization};
        let (
            section,
            key,
            api,
            legacy,
            successor,
            required,
            successor_required,
            check,
            description,
        ) = match self {
            Field::OrganizationName => (
                Some(Organization),
                "name",
                "OrganizationName",
                true,
                Some("OrgOrganization"),
                true,
                true,
                Text,
                "Company name.",
            ),
            Field::OrganizationDivision => (
                Some(Organization),
                "division",
                "OrganizationDivision",
                true,
                Some("OrgDivision"),
                true,
                true,
                Text,
                "Department.",
            ),
            Field::OrganizationAddress => (
                Some(Organization),
                "address",
                "OrganizationAddress",
                true,
                Some("OrgAddress"),
                true,
                true,
                Text,
                "Street address.",
            ),
            Field::OrganizationCountry => (
                Some(Organization),
                "country",
                "OrganizationCountry",
                true,
                Some("OrgCountry"),
                true,
                true,
                Country,
                "Country, ISO 3166-1 alpha-2 code such as CN.",
            ),
            Field::OrganizationCity => (
                Some(Organization),
                "city",
                "OrganizationCity",
                true,
                Some("OrgCity"),
                true,
                true,
                Text,
                "City.",
            ),
            Field::OrganizationRegion => (
                Some(Organization),
                "region",
                "OrganizationRegion",
                true,
                Some("OrgRegion"),
                true,
                true,
                Text,
                "Province or state.",
            ),
            Field::PostalCode => (
                Some(Organization),
                "postal_code",
                "PostalCode",
                true,
                None,
                false,
                false,
                Text,
                "Postal code. Quote it: \"518000\".",
            ),
            Field::PhoneAreaCode => (
                Some(Organization),
                "phone_area_code",
                "PhoneAreaCode",
                true,
                Some("OrgPhoneArea"),
                true,
                true,
                Text,
                "Landline area code. Quote it: \"0755\".",
            ),
            Field::PhoneNumber => (
                Some(Organization),
                "phone_number",
                "PhoneNumber",
                true,
                Some("OrgPhoneNumber"),
                true,
                true,
                Text,
                "Landline number. Quote it.",
            ),
            Field::VerifyType => (
                None,
                "verify_type",
                "VerifyType",
                true,
                Some("VerifyType"),
                false,
                false,
                Check::VerifyType,
                "Domain validation: DNS_AUTO (Tencent Cloud DNS adds the record), DNS or FILE.",
            ),
            Field::AdminFirstName => (
                Some(Admin),
                "first_name",
                "AdminFirstName",
                true,
                Some("AdminFirstName"),
                true,
                true,
                Text,
                "Administrator's first name.",
            ),
            Field::AdminLastName => (
                Some(Admin),
                "last_name",
                "AdminLastName",
                true,
                Some("AdminLastName"),
                true,
                true,
                Text,
                "Administrator's last name.",
            ),
            Field::AdminPhoneNum => (
                Some(Admin),
                "phone",
                "AdminPhoneNum",
                true,
                Some("AdminPhone"),
                true,
                true,
                Text,
                "Administrator's mobile number. Quote it.",
            ),
            Field::AdminEmail => (
                Some(Admin),
                "email",
                "AdminEmail",
                true,
                Some("AdminEmail"),
                true,
                true,
                Email,
                "Administrator's email address.",
            ),
            Field::AdminPosition => (
                Some(Admin),
                "position",
                "AdminPosition",
                true,
                Some("AdminTitle"),
                true,
                true,
                Text,
                "Administrator's position.",
            ),
            Field::ContactFirstName => (
                Some(Contact),
                "first_name",
                "ContactFirstName",
                true,
                Some("TechFirstName"),
                true,
                true,
                Text,
                "Contact's first name.",
            ),
            Field::ContactLastName => (
                Some(Contact),
                "last_name",
                "ContactLastName",
                true,
                Some("TechLastName"),
                true,
                true,
                Text,
                "Contact's last name.",
            ),
            Field::ContactEmail => (
                Some(Contact),
                "email",
                "ContactEmail",
                true,
                Some("TechEmail"),
                true,
                false,
                Email,
                "Contact's email address; required for `dv: true` with CertificateInfoSubmit, which then sends it as `ContactEmail`.",
            ),
            Field::ContactNumber => (
                Some(Contact),
                "phone",
                "ContactNumber",
                true,
                Some("TechPhone"),
                true,
                true,
                Text,
                "Contact's mobile number. Quote it.",
            ),
            Field::ContactPosition => (
                Some(Contact),
                "position",
                "ContactPosition",
                true,
                Some("TechTitle"),
                true,
                true,
                Text,
                "Contact's position.",
            ),
            Field::CompanyId => (
                Some(Organization),
                "company_id",
                "CompanyId",
                false,
                Some("CompanyId"),
                false,
                false,
                Check::Digits,
                "CertificateInfoSubmit only: the company's id in the console (DescribeCompanies), digits. With it the other organization fields may be left out. Quote it.",
            ),
            Field::ManagerId => (
                Some(Admin),
                "manager_id",
                "ManagerId",
                false,
                Some("ManagerId"),
                false,
                false,
                Check::Digits,
                "CertificateInfoSubmit only: the administrator's id in the console (DescribeManagers), digits. With it the organization, admin and contact fields may be left out. Quote it.",
            ),
        };
        FieldInfo {
            section,
            key,
            api,
            legacy,
            successor,
            required,
            successor_required,
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

    /// The field `CertificateInfoSubmit` names `name`.
    pub fn from_successor_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.info().successor == Some(name))
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
        let successor: std::collections::HashSet<_> = Field::ALL
            .iter()
            .filter_map(|f| f.info().successor)
            .collect();
        assert_eq!(successor.len(), Field::ALL.len() - 1, "all but PostalCode");
    }

    #[test]
    fn the_legacy_api_sends_the_twenty_contract_fields() {
        let legacy: Vec<Field> = Field::ALL.into_iter().filter(|f| f.info().legacy).collect();
        assert_eq!(legacy, Field::ALL[..20]);
        assert!(!Field::CompanyId.info().legacy && !Field::ManagerId.info().legacy);
    }

    /// docs/api.md §3 (the name mapping), row by row: CertificateInfoSubmit name, then the
    /// SubmitCertificateInformation / SubmittedData name.
    #[test]
    fn successor_names_follow_the_mapping_table() {
        let table = [
            ("OrgOrganization", "OrganizationName"),
            ("OrgDivision", "OrganizationDivision"),
            ("OrgAddress", "OrganizationAddress"),
            ("OrgCountry", "OrganizationCountry"),
            ("OrgCity", "OrganizationCity"),
            ("OrgRegion", "OrganizationRegion"),
            ("OrgPhoneArea", "PhoneAreaCode"),
            ("OrgPhoneNumber", "PhoneNumber"),
            ("VerifyType", "VerifyType"),
            ("AdminFirstName", "AdminFirstName"),
            ("AdminLastName", "AdminLastName"),
            ("AdminPhone", "AdminPhoneNum"),
            ("AdminEmail", "AdminEmail"),
            ("AdminTitle", "AdminPosition"),
            ("TechFirstName", "ContactFirstName"),
            ("TechLastName", "ContactLastName"),
            ("TechPhone", "ContactNumber"),
            ("TechEmail", "ContactEmail"),
            ("TechTitle", "ContactPosition"),
            ("CompanyId", "CompanyId"),
            ("ManagerId", "ManagerId"),
        ];
        for (successor, legacy) in table {
            assert_eq!(
                Field::from_successor_name(successor).map(Field::api_name),
                Some(legacy),
                "{successor}"
            );
        }
        assert_eq!(Field::PostalCode.info().successor, None);
        assert_eq!(Field::ALL.len(), table.len() + 1);
    }

    /// docs/api.md §3: without CompanyId/ManagerId a company certificate needs the eight
    /// Org* fields, the five Admin* and four Tech* (TechEmail is optional).
    #[test]
    fn seventeen_fields_are_required_by_the_successor() {
        let required: Vec<&str> = Field::ALL
            .iter()
            .filter(|f| f.info().successor_required)
            .filter_map(|f| f.info().successor)
            .collect();
        assert_eq!(required.len(), 17);
        assert!(!required.contains(&"TechEmail"));
        assert!(!required.contains(&"VerifyType"));
    }
}
