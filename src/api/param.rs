//! The submit parameters that are not profile fields, named in each of the
//! two submit APIs (docs/api.md §3, the name mapping). The profile fields'
//! names are in [`crate::field`]; a certificate's API picks the column
//! ([`crate::certificate::Api::param`]).

use crate::certificate::Api;

/// A fixed parameter of the submit actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    CertificateId,
    CsrType,
    CsrContent,
    Domain,
    DomainList,
    KeyPassword,
}

impl Param {
    pub const ALL: [Param; 6] = [
        Param::CertificateId,
        Param::CsrType,
        Param::CsrContent,
        Param::Domain,
        Param::DomainList,
        Param::KeyPassword,
    ];

    /// Its name in `SubmitCertificateInformation`, which `SubmittedData`
    /// shares, and in `CertificateInfoSubmit`.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Param::CertificateId => ("CertificateId", "CertId"),
            Param::CsrType => ("CsrType", "GenCsrType"),
            Param::CsrContent => ("CsrContent", "Csr"),
            Param::Domain => ("CertificateDomain", "CertCommonName"),
            Param::DomainList => ("DomainList", "DnsNames"),
            Param::KeyPassword => ("KeyPassword", "KeyPass"),
        }
    }

    /// The name in `SubmitCertificateInformation` and `SubmittedData`.
    pub fn legacy_name(self) -> &'static str {
        self.names().0
    }

    /// The name in `CertificateInfoSubmit`.
    pub fn successor_name(self) -> &'static str {
        self.names().1
    }

    /// The parameter `CertificateInfoSubmit` names `name`.
    pub fn from_successor_name(name: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.successor_name() == name)
    }
}

impl Api {
    /// The name of a fixed parameter in this API.
    pub fn param(self, param: Param) -> &'static str {
        match self {
            Api::SubmitCertificateInformation => param.legacy_name(),
            Api::CertificateInfoSubmit => param.successor_name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/api.md §3, the name mapping, the rows that are not profile fields.
    #[test]
    fn the_mapping_table_row_by_row() {
        let table = [
            ("CertificateId", "CertId"),
            ("CsrType", "GenCsrType"),
            ("CsrContent", "Csr"),
            ("CertificateDomain", "CertCommonName"),
            ("DomainList", "DnsNames"),
            ("KeyPassword", "KeyPass"),
        ];
        for (legacy, successor) in table {
            let param = Param::from_successor_name(successor);
            assert_eq!(param.map(Param::legacy_name), Some(legacy), "{successor}");
        }
        assert_eq!(Param::from_successor_name("CertificateId"), None);
        assert_eq!(Param::ALL.len(), table.len());
    }
}
