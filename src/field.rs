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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The field this row describes.
    pub field: Field,
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

/// The field table: one row per [`Field`], in [`Field::ALL`]'s order (the
/// order of the API reference and of the request body). Every consumer
/// reads it through [`Field::info`]; `field_table_rows_follow_field_all`
/// checks the order.
pub const FIELDS: [FieldInfo; 22] = [
    FieldInfo {
        field: Field::OrganizationName,
        section: Some(Section::Organization),
        key: "name",
        api: "OrganizationName",
        legacy: true,
        successor: Some("OrgOrganization"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Company name.",
    },
    FieldInfo {
        field: Field::OrganizationDivision,
        section: Some(Section::Organization),
        key: "division",
        api: "OrganizationDivision",
        legacy: true,
        successor: Some("OrgDivision"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Department.",
    },
    FieldInfo {
        field: Field::OrganizationAddress,
        section: Some(Section::Organization),
        key: "address",
        api: "OrganizationAddress",
        legacy: true,
        successor: Some("OrgAddress"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Street address.",
    },
    FieldInfo {
        field: Field::OrganizationCountry,
        section: Some(Section::Organization),
        key: "country",
        api: "OrganizationCountry",
        legacy: true,
        successor: Some("OrgCountry"),
        required: true,
        successor_required: true,
        check: Check::Country,
        description: "Country, ISO 3166-1 alpha-2 code such as CN.",
    },
    FieldInfo {
        field: Field::OrganizationCity,
        section: Some(Section::Organization),
        key: "city",
        api: "OrganizationCity",
        legacy: true,
        successor: Some("OrgCity"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "City.",
    },
    FieldInfo {
        field: Field::OrganizationRegion,
        section: Some(Section::Organization),
        key: "region",
        api: "OrganizationRegion",
        legacy: true,
        successor: Some("OrgRegion"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Province or state.",
    },
    FieldInfo {
        field: Field::PostalCode,
        section: Some(Section::Organization),
        key: "postal_code",
        api: "PostalCode",
        legacy: true,
        successor: None,
        required: false,
        successor_required: false,
        check: Check::Text,
        description: "Postal code. Quote it: \"518000\".",
    },
    FieldInfo {
        field: Field::PhoneAreaCode,
        section: Some(Section::Organization),
        key: "phone_area_code",
        api: "PhoneAreaCode",
        legacy: true,
        successor: Some("OrgPhoneArea"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Landline area code. Quote it: \"0755\".",
    },
    FieldInfo {
        field: Field::PhoneNumber,
        section: Some(Section::Organization),
        key: "phone_number",
        api: "PhoneNumber",
        legacy: true,
        successor: Some("OrgPhoneNumber"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Landline number. Quote it.",
    },
    FieldInfo {
        field: Field::VerifyType,
        section: None,
        key: "verify_type",
        api: "VerifyType",
        legacy: true,
        successor: Some("VerifyType"),
        required: false,
        successor_required: false,
        check: Check::VerifyType,
        description: "Domain validation: DNS_AUTO (Tencent Cloud DNS adds the record), DNS or FILE.",
    },
    FieldInfo {
        field: Field::AdminFirstName,
        section: Some(Section::Admin),
        key: "first_name",
        api: "AdminFirstName",
        legacy: true,
        successor: Some("AdminFirstName"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Administrator's first name.",
    },
    FieldInfo {
        field: Field::AdminLastName,
        section: Some(Section::Admin),
        key: "last_name",
        api: "AdminLastName",
        legacy: true,
        successor: Some("AdminLastName"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Administrator's last name.",
    },
    FieldInfo {
        field: Field::AdminPhoneNum,
        section: Some(Section::Admin),
        key: "phone",
        api: "AdminPhoneNum",
        legacy: true,
        successor: Some("AdminPhone"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Administrator's mobile number. Quote it.",
    },
    FieldInfo {
        field: Field::AdminEmail,
        section: Some(Section::Admin),
        key: "email",
        api: "AdminEmail",
        legacy: true,
        successor: Some("AdminEmail"),
        required: true,
        successor_required: true,
        check: Check::Email,
        description: "Administrator's email address.",
    },
    FieldInfo {
        field: Field::AdminPosition,
        section: Some(Section::Admin),
        key: "position",
        api: "AdminPosition",
        legacy: true,
        successor: Some("AdminTitle"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Administrator's position.",
    },
    FieldInfo {
        field: Field::ContactFirstName,
        section: Some(Section::Contact),
        key: "first_name",
        api: "ContactFirstName",
        legacy: true,
        successor: Some("TechFirstName"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Contact's first name.",
    },
    FieldInfo {
        field: Field::ContactLastName,
        section: Some(Section::Contact),
        key: "last_name",
        api: "ContactLastName",
        legacy: true,
        successor: Some("TechLastName"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Contact's last name.",
    },
    FieldInfo {
        field: Field::ContactEmail,
        section: Some(Section::Contact),
        key: "email",
        api: "ContactEmail",
        legacy: true,
        successor: Some("TechEmail"),
        required: true,
        successor_required: false,
        check: Check::Email,
        description: "Contact's email address; required for `dv: true` with CertificateInfoSubmit, which then sends it as `ContactEmail`.",
    },
    FieldInfo {
        field: Field::ContactNumber,
        section: Some(Section::Contact),
        key: "phone",
        api: "ContactNumber",
        legacy: true,
        successor: Some("TechPhone"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Contact's mobile number. Quote it.",
    },
    FieldInfo {
        field: Field::ContactPosition,
        section: Some(Section::Contact),
        key: "position",
        api: "ContactPosition",
        legacy: true,
        successor: Some("TechTitle"),
        required: true,
        successor_required: true,
        check: Check::Text,
        description: "Contact's position.",
    },
    FieldInfo {
        field: Field::CompanyId,
        section: Some(Section::Organization),
        key: "company_id",
        api: "CompanyId",
        legacy: false,
        successor: Some("CompanyId"),
        required: false,
        successor_required: false,
        check: Check::Digits,
        description: "CertificateInfoSubmit only: the company's id in the console (DescribeCompanies), digits. With it the other organization fields may be left out. Quote it.",
    },
    FieldInfo {
        field: Field::ManagerId,
        section: Some(Section::Admin),
        key: "manager_id",
        api: "ManagerId",
        legacy: false,
        successor: Some("ManagerId"),
        required: false,
        successor_required: false,
        check: Check::Digits,
        description: "CertificateInfoSubmit only: the administrator's id in the console (DescribeManagers), digits. With it the organization, admin and contact fields may be left out. Quote it.",
    },
];

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

    /// The field's row of [`FIELDS`].
    pub fn info(self) -> &'static FieldInfo {
        &FIELDS[self as usize]
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
    fn field_table_rows_follow_field_all() {
        assert_eq!(FIELDS.len(), Field::ALL.len());
        for (i, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(FIELDS[i].field, field);
            assert_eq!(field as usize, i);
            assert_eq!(field.info().field, field);
        }
    }

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
