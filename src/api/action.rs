//! The actions of the SSL API that tccert calls and the emulator serves
//! (docs/api.md §3), named once. Everything else spells an action through
//! [`Action`]; a certificate's submit action comes from its
//! [`crate::certificate::Api`].

use std::fmt;

use crate::certificate::Api;

/// The version of the SSL API every [`Action`] belongs to, sent as
/// `X-TC-Version` (docs/api.md §1). Not the manifest format's version, which
/// is [`crate::manifest::FORMAT_VERSION`].
pub const SSL_API_VERSION: &str = "2019-12-05";

/// An action of the SSL API, by its `X-TC-Action` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// The read: status and `SubmittedData`.
    DescribeCertificateDetail,
    /// The contract's submit (frozen, still online).
    SubmitCertificateInformation,
    /// Sends the order to the CA (`commit: true`).
    CertificateOrderSubmit,
    /// The maintained successor of `SubmitCertificateInformation`.
    CertificateInfoSubmit,
    /// The list of an account's certificates, paged (`tccert import`).
    DescribeCertificates,
    /// Buys a paid certificate (product, domain count, years, tags).
    CreateCertificate,
    /// Cancels the CA's review of an ordered certificate (0, 4, 8 -> 6 -> 7).
    CancelAuditCertificate,
    /// Reopens a rejected (2) or cancelled (7) certificate for submission.
    ModifyCertificateResubmit,
    /// Uploads the confirmation letter an OV/EV order waits for (8).
    UploadConfirmLetter,
    /// The domain validation checks, per name.
    CheckCertificateDomainVerification,
    /// Asks the CA to check the domain validation now.
    CompleteCertificate,
    /// The issued certificate as a base64 ZIP.
    DownloadCertificate,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::DescribeCertificateDetail,
        Action::SubmitCertificateInformation,
        Action::CertificateOrderSubmit,
        Action::CertificateInfoSubmit,
        Action::DescribeCertificates,
        Action::CreateCertificate,
        Action::CancelAuditCertificate,
        Action::ModifyCertificateResubmit,
        Action::UploadConfirmLetter,
        Action::CheckCertificateDomainVerification,
        Action::CompleteCertificate,
        Action::DownloadCertificate,
    ];

    /// The `X-TC-Action` value.
    pub fn name(self) -> &'static str {
        match self {
            Action::DescribeCertificateDetail => "DescribeCertificateDetail",
            Action::SubmitCertificateInformation => "SubmitCertificateInformation",
            Action::CertificateOrderSubmit => "CertificateOrderSubmit",
            Action::CertificateInfoSubmit => "CertificateInfoSubmit",
            Action::DescribeCertificates => "DescribeCertificates",
            Action::CreateCertificate => "CreateCertificate",
            Action::CancelAuditCertificate => "CancelAuditCertificate",
            Action::ModifyCertificateResubmit => "ModifyCertificateResubmit",
            Action::UploadConfirmLetter => "UploadConfirmLetter",
            Action::CheckCertificateDomainVerification => "CheckCertificateDomainVerification",
            Action::CompleteCertificate => "CompleteCertificate",
            Action::DownloadCertificate => "DownloadCertificate",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// One of the two actions that submit a certificate's information.
    pub fn is_submit(self) -> bool {
        matches!(
            self,
            Action::SubmitCertificateInformation | Action::CertificateInfoSubmit
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Api {
    /// The action that submits a certificate's information.
    pub fn action(self) -> Action {
        match self {
            Api::SubmitCertificateInformation => Action::SubmitCertificateInformation,
            Api::CertificateInfoSubmit => Action::CertificateInfoSubmit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_is_named_as_its_submit_action() {
        for api in Api::ALL {
            assert_eq!(api.action().name(), api.name());
            assert!(api.action().is_submit());
        }
        assert_ne!(
            Api::SubmitCertificateInformation.action(),
            Api::CertificateInfoSubmit.action()
        );
    }

    #[test]
    fn names_round_trip_and_are_the_documented_ones() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
        }
        assert_eq!(
            Action::from_name("DescribeCertificates"),
            Some(Action::DescribeCertificates)
        );
        assert_eq!(Action::from_name("DescribeCertificate"), None);
        assert_eq!(
            Action::CertificateInfoSubmit.to_string(),
            "CertificateInfoSubmit"
        );
        assert_eq!(
            serde_json::to_value(Action::CertificateOrderSubmit).ok(),
            Some(serde_json::json!("CertificateOrderSubmit"))
        );
    }

    #[test]
    fn only_the_two_submits_submit() {
        let submits: Vec<Action> = Action::ALL.into_iter().filter(|a| a.is_submit()).collect();
        assert_eq!(
            submits,
            [
                Action::SubmitCertificateInformation,
                Action::CertificateInfoSubmit
            ]
        );
    }
}
