//! Certificate status codes (docs/api.md §4): the `Status` that
//! `DescribeCertificateDetail` returns and `CertificateOrderSubmit` answers
//! with, its `StatusName` as the API words it, and tccert's own short name
//! for reports and messages.

/// "Pending information" (待提交资料): the only status in which a
/// certificate's information may be submitted.
pub const PENDING_SUBMISSION: u64 = 5;

/// "Approved" (已颁发): the certificate is issued.
pub const ISSUED: u64 = 1;

/// "Information submitted, pending confirmation letter": where an accepted
/// `CertificateOrderSubmit` leaves a certificate.
pub const INFO_SUBMITTED: u64 = 8;

/// "Under review" (审核中): the information is with the CA.
pub const UNDER_REVIEW: u64 = 0;

/// "Review failed" (审核失败); `StatusMsg` says why.
pub const REVIEW_FAILED: u64 = 2;

/// "Expired" (已过期).
pub const EXPIRED: u64 = 3;

/// "DNS record added" (已添加DNS记录): domain validation under way.
pub const DNS_RECORD_ADDED: u64 = 4;

/// "Order being cancelled" (订单取消中): after `CancelAuditCertificate`.
pub const CANCELLING: u64 = 6;

/// "Cancelled" (已取消).
pub const CANCELLED: u64 = 7;

/// "Being revoked" (证书吊销中).
pub const REVOKING: u64 = 9;

/// "Revoked" (已吊销).
pub const REVOKED: u64 = 10;

/// "Being reissued" (重颁发中).
pub const BEING_REISSUED: u64 = 11;

/// "Refunded" (证书已退款).
pub const REFUNDED: u64 = 14;

/// Whether a certificate at `status` waits for its domain validation (under
/// review, 0; DNS record added, 4; information submitted, 8): the statuses
/// whose `CheckCertificateDomainVerification` `status` reads, and from
/// which `CompleteCertificate` may issue.
pub fn awaits_validation(status: u64) -> bool {
    matches!(status, UNDER_REVIEW | DNS_RECORD_ADDED | INFO_SUBMITTED)
}

/// How the caller wants the API's texts worded (`X-TC-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    ZhCn,
    EnUs,
}

impl Language {
    /// The API's default is Chinese; only `en-US` asks for English.
    pub fn from_header(value: Option<&str>) -> Language {
        match value {
            Some("en-US") => Language::EnUs,
            _ => Language::ZhCn,
        }
    }
}

/// One status: its code, tccert's short name, and the API's `StatusName`
/// in Chinese and English.
struct Status {
    code: u64,
    short: &'static str,
    zh: &'static str,
    en: &'static str,
}

const fn status(code: u64, short: &'static str, zh: &'static str, en: &'static str) -> Status {
    Status {
        code,
        short,
        zh,
        en,
    }
}

const STATUSES: [Status; 16] = [
    status(0, "under review", "审核中", "under review"),
    status(1, "approved", "已颁发", "approved"),
    status(2, "review failed", "审核失败", "review failed"),
    status(3, "expired", "已过期", "expired"),
    status(
        4,
        "DNS record added",
        "已添加DNS记录",
        "automatically added dns records",
    ),
    status(
        5,
        "pending information",
        "企业证书，待提交资料",
        "enterprise certificate, pending document submission",
    ),
    status(
        6,
        "order being cancelled",
        "订单取消中",
        "order cancellation in progress",
    ),
    status(7, "cancelled", "已取消", "canceled"),
    status(
        8,
        "information submitted, pending confirmation letter",
        "已提交资料，待上传确认函",
        "documents submitted, pending upload of confirmation letter",
    ),
    status(9, "being revoked", "证书吊销中", "revocation in progress"),
    status(10, "revoked", "已吊销", "revoked"),
    status(11, "being reissued", "重颁发中", "reissue in progress"),
    status(
        12,
        "pending revocation letter",
        "待上传吊销确认函",
        "pending upload of revocation confirmation letter",
    ),
    status(
        13,
        "free certificate pending information",
        "免费证书待提交资料",
        "free certificate pending document submission",
    ),
    status(14, "refunded", "证书已退款", "refunded"),
    status(
        15,
        "being migrated",
        "证书迁移中",
        "certificate migration in progress",
    ),
];

fn find(code: u64) -> Option<&'static Status> {
    STATUSES.iter().find(|s| s.code == code)
}

/// tccert's short name of a status, for reports and messages.
pub fn short_name(code: u64) -> &'static str {
    find(code).map_or("unknown", |s| s.short)
}

/// `StatusName` as the API words it in `language`.
pub fn api_name(code: u64, language: Language) -> &'static str {
    match (find(code), language) {
        (Some(s), Language::ZhCn) => s.zh,
        (Some(s), Language::EnUs) => s.en,
        (None, Language::ZhCn) => "未知状态",
        (None, Language::EnUs) => "unknown status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_from_0_to_15_once() {
        let codes: Vec<u64> = STATUSES.iter().map(|s| s.code).collect();
        assert_eq!(codes, (0..16).collect::<Vec<u64>>());
    }

    #[test]
    fn the_named_codes_are_the_table_s() {
        for (code, short) in [
            (UNDER_REVIEW, "under review"),
            (ISSUED, "approved"),
            (REVIEW_FAILED, "review failed"),
            (EXPIRED, "expired"),
            (DNS_RECORD_ADDED, "DNS record added"),
            (PENDING_SUBMISSION, "pending information"),
            (CANCELLED, "cancelled"),
            (
                INFO_SUBMITTED,
                "information submitted, pending confirmation letter",
            ),
            (REVOKED, "revoked"),
            (BEING_REISSUED, "being reissued"),
            (REFUNDED, "refunded"),
        ] {
            assert_eq!(short_name(code), short, "{code}");
        }
    }

    #[test]
    fn names_in_each_wording() {
        assert_eq!(short_name(PENDING_SUBMISSION), "pending information");
        assert_eq!(short_name(99), "unknown");
        assert_eq!(api_name(99, Language::EnUs), "unknown status");
        assert_eq!(
            api_name(INFO_SUBMITTED, Language::ZhCn),
            "已提交资料，待上传确认函"
        );
    }
}
