//! What the emulator remembers: each certificate's status, `SubmittedData` and
//! order, the counters that tests assert on, and the optional state file.
//!
//! The snapshot type is also the state-file format and the body of
//! `GET /_emulator/state`, so there is one shape to learn. It holds
//! `KeyPassword` when a client sent one (the real API echoes it back too):
//! the emulator never logs it, and the file and endpoint are test-only.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::status::{INFO_SUBMITTED, ISSUED, PENDING_SUBMISSION};

/// Order cancellation in progress.
pub const CANCELLING: u64 = 6;
/// Cancelled: a resubmit reopens it.
pub const CANCELLED: u64 = 7;
use crate::outfile::{self, NewFile};

/// A certificate the emulator starts with: status 5, no `SubmittedData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedCertificate {
    pub certificate_id: String,
    pub domain: String,
    /// The account that owns it; `None`: the default key pairs.
    pub owner: Option<String>,
}

/// One certificate as the emulator holds it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertificateState {
    pub certificate_id: String,
    pub domain: String,
    pub status: u64,
    /// Exactly the fields of the last accepted `SubmitCertificateInformation`,
    /// minus `CertificateId` and `IsDV`; or those of the last accepted
    /// `CertificateInfoSubmit` under the old names (docs/api.md §3, the name mapping);
    /// `null` before the first.
    #[serde(rename = "SubmittedData")]
    pub submitted_data: Option<Map<String, Value>>,
    /// Which action wrote `SubmittedData` last.
    pub submitted_by: Option<String>,
    /// The parameters of the last accepted `CertificateInfoSubmit` that
    /// `SubmittedData` cannot show (`CompanyType`, `CompanyId`, `ManagerId`,
    /// `CsrEncryptAlgo`, `CsrKeyParameter`, ...); `null` after a
    /// `SubmitCertificateInformation`.
    pub successor_params: Option<Map<String, Value>>,
    pub order_id: Option<String>,
    /// `VerifyType` given to `CertificateOrderSubmit`, if any.
    pub order_verify_type: Option<String>,
    /// Unix milliseconds when the order was accepted: issuance after the
    /// emulator's `issue_after` counts from here.
    pub ordered_at_ms: Option<i64>,
    /// `IsDV: true` in the last accepted `SubmitCertificateInformation`
    /// (`IsDv` in the describe replies).
    pub is_dv: bool,
    /// Unix seconds when the certificate appeared (shown as `InsertTime`).
    pub inserted_at: i64,
    /// Well-formed, authenticated submits naming this certificate, whatever
    /// their outcome (including injected faults and status refusals).
    pub submits_received: u64,
    /// Submits that replaced `SubmittedData`.
    pub submits_applied: u64,
    /// Well-formed, authenticated `CertificateInfoSubmit`s naming this
    /// certificate, whatever their outcome.
    pub info_submits_received: u64,
    /// `CertificateInfoSubmit`s that replaced `SubmittedData`.
    pub info_submits_applied: u64,
    pub order_submits_received: u64,
    /// Order submits that moved the status to 8.
    pub order_submits_applied: u64,
    /// Well-formed, authenticated describes naming this certificate.
    pub describes: u64,
    /// The account that owns it (only its key pair sees it); `null`: the
    /// default key pairs (also what a state file from before accounts
    /// reads as).
    pub owner: Option<String>,
    /// The SecretId of the last write that replaced `SubmittedData` (not a
    /// secret: the id, never the key), so tests can tell whose credentials
    /// wrote it.
    pub written_with: Option<String>,
    /// The purchase (`CreateCertificate`), for a bought certificate; `null`
    /// for a seeded one, which keeps the seeded machine (order -> 8).
    pub purchase: Option<Purchase>,
    /// Unix milliseconds of the `CancelAuditCertificate` that moved it to 6:
    /// it reaches 7 the emulator's `cancel_after` later.
    pub cancel_requested_ms: Option<i64>,
    /// Unix milliseconds when it was issued (1), by the delay or by
    /// `CompleteCertificate`.
    pub issued_at_ms: Option<i64>,
    /// Size in bytes of the last accepted `UploadConfirmLetter`.
    pub confirm_letter_bytes: Option<u64>,
    /// Well-formed, authenticated requests of the lifecycle actions naming
    /// this certificate, by action, whatever their outcome.
    pub lifecycle_received: BTreeMap<String, u64>,
    /// The private key the emulator made for an `online` CSR (PKCS#8 PEM),
    /// made at the first download and kept, so every download matches.
    pub online_key_pem: Option<String>,
    /// The chain the first download issued (PEM, leaf then CA), kept so
    /// that every later download answers the same certificate, as the CA's
    /// one issued certificate is, across restarts of a kept state too.
    pub issued_chain_pem: Option<String>,
}

/// What `CreateCertificate` bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    #[serde(rename = "ProductId")]
    pub product_id: u64,
    #[serde(rename = "DomainNum")]
    pub domain_num: u64,
    #[serde(rename = "TimeSpan")]
    pub time_span: u64,
    #[serde(rename = "AutoVoucher")]
    pub auto_voucher: u64,
    #[serde(rename = "Tags")]
    pub tags: Vec<Tag>,
    #[serde(rename = "DealId")]
    pub deal_id: String,
}

/// A tag as the API spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    #[serde(rename = "TagKey")]
    pub key: String,
    #[serde(rename = "TagValue")]
    pub value: String,
}

impl Default for CertificateState {
    fn default() -> Self {
        Self {
            certificate_id: String::new(),
            domain: String::new(),
            status: PENDING_SUBMISSION,
            submitted_data: None,
            submitted_by: None,
            successor_params: None,
            order_id: None,
            order_verify_type: None,
            ordered_at_ms: None,
            is_dv: false,
            inserted_at: 0,
            submits_received: 0,
            submits_applied: 0,
            info_submits_received: 0,
            info_submits_applied: 0,
            order_submits_received: 0,
            order_submits_applied: 0,
            describes: 0,
            owner: None,
            written_with: None,
            purchase: None,
            cancel_requested_ms: None,
            issued_at_ms: None,
            confirm_letter_bytes: None,
            lifecycle_received: BTreeMap::new(),
            online_key_pem: None,
            issued_chain_pem: None,
        }
    }
}

// Hand-written so that a `{:?}` can never print a stored KeyPassword.
impl std::fmt::Debug for CertificateState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateState")
            .field("certificate_id", &self.certificate_id)
            .field("domain", &self.domain)
            .field("status", &self.status)
            .field(
                "submitted_fields",
                &self
                    .submitted_data
                    .as_ref()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            )
            .field("submitted_by", &self.submitted_by)
            .field(
                "successor_params",
                &self
                    .successor_params
                    .as_ref()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            )
            .field("order_id", &self.order_id)
            .field("submits_received", &self.submits_received)
            .field("submits_applied", &self.submits_applied)
            .field("info_submits_received", &self.info_submits_received)
            .field("info_submits_applied", &self.info_submits_applied)
            .field("order_submits_received", &self.order_submits_received)
            .field("order_submits_applied", &self.order_submits_applied)
            .field("describes", &self.describes)
            .field("owner", &self.owner)
            .field("written_with", &self.written_with)
            .field("purchase", &self.purchase)
            .field("cancel_requested_ms", &self.cancel_requested_ms)
            .field("issued_at_ms", &self.issued_at_ms)
            .field("confirm_letter_bytes", &self.confirm_letter_bytes)
            .field("lifecycle_received", &self.lifecycle_received)
            .field("online_key", &self.online_key_pem.is_some())
            .field("issued_chain", &self.issued_chain_pem.is_some())
            .finish()
    }
}

/// Everything the emulator knows, as tests see it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StateSnapshot {
    /// By certificate id.
    pub certificates: BTreeMap<String, CertificateState>,
    /// Every `POST /` by its `X-TC-Action` header (`""` when missing),
    /// counted on arrival, before any check.
    pub requests_by_action: BTreeMap<String, u64>,
    /// Requests answered `RequestLimitExceeded` by the rate limiter
    /// (injected ones are counted in `faults_injected` only).
    pub throttled: u64,
    /// Requests answered with any `AuthFailure.*` code.
    pub auth_failures: u64,
    pub faults_injected: u64,
    /// The `issue_after` (milliseconds) the state was last served with, so
    /// that a tree's kept state issues on the delay its `apply --emulator
    /// --emulator-issue-after` chose when a later run (`status --wait
    /// --emulator`, `download --emulator`) gives none; `null`: never.
    pub issue_after_ms: Option<u64>,
}

impl StateSnapshot {
    /// Adds the seed certificates that are not there yet; existing ones keep
    /// their state, so a state file survives a restart with the same seed,
    /// but take the seed's owner: the manifests say which account a
    /// certificate belongs to, and an `account:` added since the state was
    /// written must not make it unreachable.
    pub fn add_seed(&mut self, seed: &[SeedCertificate], now: i64) {
        for s in seed {
            self.certificates
                .entry(s.certificate_id.clone())
                .and_modify(|c| c.owner.clone_from(&s.owner))
                .or_insert_with(|| CertificateState {
                    certificate_id: s.certificate_id.clone(),
                    domain: s.domain.clone(),
                    owner: s.owner.clone(),
                    inserted_at: now,
                    ..CertificateState::default()
                });
        }
    }

    /// Moves every certificate whose order has waited `issue_after` (from
    /// `ordered_at_ms`) and that still waits for the CA (status 0, 4 or 8)
    /// to issued (1), as the CA would once domain validation passes. Returns
    /// whether any moved.
    pub fn issue_due(&mut self, now_ms: i64, issue_after: std::time::Duration) -> bool {
        let after_ms = i64::try_from(issue_after.as_millis()).unwrap_or(i64::MAX);
        let mut moved = false;
        for cert in self.certificates.values_mut() {
            if let Some(ordered) = cert.ordered_at_ms
                && waits_for_validation(cert.status)
                && now_ms >= ordered.saturating_add(after_ms)
            {
                cert.status = ISSUED;
                cert.issued_at_ms = Some(ordered.saturating_add(after_ms));
                moved = true;
            }
        }
        moved
    }

    /// Moves every certificate cancelling (6) for `cancel_after` since its
    /// `CancelAuditCertificate` to cancelled (7). Returns whether any moved.
    pub fn cancel_due(&mut self, now_ms: i64, cancel_after: std::time::Duration) -> bool {
        let after_ms = i64::try_from(cancel_after.as_millis()).unwrap_or(i64::MAX);
        let mut moved = false;
        for cert in self.certificates.values_mut() {
            if cert.status == CANCELLING
                && let Some(asked) = cert.cancel_requested_ms
                && now_ms >= asked.saturating_add(after_ms)
            {
                cert.status = CANCELLED;
                moved = true;
            }
        }
        moved
    }

    /// A fresh CA order number, unique within this state.
    pub fn next_order_id(&self) -> String {
        let issued = self
            .certificates
            .values()
            .filter(|c| c.order_id.is_some())
            .count() as u64;
        format!("TA{:012}", 202_512_050_000 + issued + 1)
    }
}

/// The statuses in which an ordered certificate waits for the CA: under
/// review (0), DNS record added (4), information submitted (8).
pub fn waits_for_validation(status: u64) -> bool {
    matches!(status, 0 | 4 | INFO_SUBMITTED)
}

/// Sets (`Some`) or removes (`None`) one field of a certificate's
/// `SubmittedData`, creating it when absent. `DomainList` takes a
/// comma-separated list; every other field is a string.
pub fn set_submitted_field(cert: &mut CertificateState, api_field: &str, value: Option<&str>) {
    let data = cert.submitted_data.get_or_insert_with(Map::new);
    match value {
        None => {
            data.shift_remove(api_field);
        }
        Some(value) if api_field == "DomainList" => {
            let list = value
                .split(',')
                .map(|d| Value::String(d.trim().to_owned()))
                .collect();
            data.insert(api_field.to_owned(), Value::Array(list));
        }
        Some(value) => {
            data.insert(api_field.to_owned(), Value::String(value.to_owned()));
        }
    }
}

/// Reads a state file; `Ok(None)` when it does not exist.
pub fn load(path: &Path) -> io::Result<Option<StateSnapshot>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("state file {} is not valid: {e}", path.display()),
        )
    })
}

/// Writes the state so that a reader sees either the old or the new file,
/// never half of one, the way `tccert csr new` writes a private key
/// ([`crate::outfile`]): the file holds `KeyPassword`s, so it is a new file
/// created exclusively (`O_EXCL`, which never follows a symbolic link) under
/// an unpredictable name beside the target, with mode 0600 from the start,
/// synced, then renamed over the target. A link at the target is replaced,
/// not written through.
pub fn save_atomic(path: &Path, snapshot: &StateSnapshot) -> io::Result<()> {
    let mut json = serde_json::to_vec_pretty(snapshot).map_err(io::Error::other)?;
    json.push(b'\n');
    let file = NewFile {
        path,
        contents: &json,
        private: true,
    };
    outfile::write_all(std::slice::from_ref(&file), true)
        .map_err(|e| io::Error::new(e.error.kind(), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(id: &str, domain: &str) -> SeedCertificate {
        SeedCertificate {
            certificate_id: id.into(),
            domain: domain.into(),
            owner: None,
        }
    }

    #[test]
    fn seed_adds_missing_certificates_only() {
        let mut state = StateSnapshot::default();
        state.add_seed(&[seed("a", "a.example.com")], 100);
        let Some(a) = state.certificates.get_mut("a") else {
            panic!("seeded certificate missing");
        };
        assert_eq!(a.status, PENDING_SUBMISSION);
        assert_eq!(a.submitted_data, None);
        a.status = INFO_SUBMITTED;
        state.add_seed(&[seed("a", "other"), seed("b", "b.example.com")], 200);
        assert_eq!(state.certificates["a"].status, INFO_SUBMITTED);
        assert_eq!(state.certificates["a"].domain, "a.example.com");
        assert_eq!(state.certificates["b"].inserted_at, 200);
    }

    #[test]
    fn a_restart_keeps_the_state_and_takes_the_seeds_owner() {
        let mut state = StateSnapshot::default();
        state.add_seed(&[seed("a", "a.example.com")], 100);
        if let Some(a) = state.certificates.get_mut("a") {
            a.status = INFO_SUBMITTED;
        }
        let owned = SeedCertificate {
            owner: Some("hk".into()),
            ..seed("a", "a.example.com")
        };
        state.add_seed(&[owned], 200);
        assert_eq!(state.certificates["a"].owner.as_deref(), Some("hk"));
        assert_eq!(state.certificates["a"].status, INFO_SUBMITTED);
    }

    #[test]
    fn submitted_field_patches() {
        let mut cert = CertificateState::default();
        set_submitted_field(&mut cert, "OrganizationName", Some("X"));
        set_submitted_field(
            &mut cert,
            "DomainList",
            Some("a.example.com, b.example.com"),
        );
        assert_eq!(
            Value::Object(cert.submitted_data.clone().unwrap_or_default()),
            serde_json::json!({"OrganizationName": "X", "DomainList": ["a.example.com", "b.example.com"]})
        );
        set_submitted_field(&mut cert, "OrganizationName", None);
        assert_eq!(
            cert.submitted_data.map(|m| m.len()),
            Some(1),
            "removing a field keeps the others"
        );
    }

    #[test]
    fn debug_never_prints_submitted_values() {
        let mut cert = CertificateState::default();
        set_submitted_field(&mut cert, "KeyPassword", Some("hunter2"));
        let printed = format!("{cert:?}");
        assert!(printed.contains("KeyPassword"));
        assert!(!printed.contains("hunter2"));
    }

    #[test]
    fn state_file_round_trip_and_missing_file() {
        let dir = std::env::temp_dir().join(format!("tccert-state-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let path = dir.join("state.json");
        let _ = fs::remove_file(&path);
        assert!(matches!(load(&path), Ok(None)));

        let mut state = StateSnapshot::default();
        state.add_seed(&[seed("a", "a.example.com")], 1);
        state.throttled = 3;
        let saved = save_atomic(&path, &state);
        assert!(saved.is_ok(), "{saved:?}");
        let loaded = load(&path).ok().flatten();
        assert_eq!(loaded, Some(state));
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("state.json")]);

        let _ = fs::write(&path, "{not json");
        assert!(matches!(load(&path), Err(e) if e.kind() == io::ErrorKind::InvalidData));
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    /// It holds `KeyPassword`s: owner-only from the first byte, also when
    /// it replaces a file that was readable by others.
    #[cfg(unix)]
    #[test]
    fn the_state_file_is_0600_new_and_replaced() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        save_atomic(&path, &StateSnapshot::default()).unwrap();
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        save_atomic(&path, &StateSnapshot::default()).unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    /// The old temporary name was `.NAME.tmp-PID`: predictable, and opened
    /// with `File::create`, which follows a symbolic link planted there and
    /// writes the state (and its `KeyPassword`s) wherever it points.
    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let victim = dir.path().join("victim");
        fs::write(&victim, "untouched").unwrap();
        let planted = dir
            .path()
            .join(format!(".state.json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let absent = dir.path().join("absent");
        let dangling = dir
            .path()
            .join(format!(".other.json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&absent, &dangling).unwrap();

        let mut state = StateSnapshot::default();
        state.add_seed(&[seed("a", "a.example.com")], 1);
        set_submitted_field(
            state.certificates.get_mut("a").unwrap(),
            "KeyPassword",
            Some("hunter2"),
        );
        save_atomic(&path, &state).unwrap();
        save_atomic(&dir.path().join("other.json"), &state).unwrap();

        assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched");
        assert!(!absent.exists(), "a dangling link is not created through");
        assert_eq!(load(&path).unwrap(), Some(state));
        // And a link at the target itself is replaced, not written through.
        let linked = dir.path().join("linked.json");
        std::os::unix::fs::symlink(&victim, &linked).unwrap();
        save_atomic(&linked, &StateSnapshot::default()).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched");
        assert!(!fs::symlink_metadata(&linked).unwrap().is_symlink());
        assert_eq!(mode(&linked), 0o600);
    }

    #[test]
    fn ordered_certificates_are_issued_after_the_delay_only() {
        let mut state = StateSnapshot::default();
        state.add_seed(
            &[
                seed("ordered", "a"),
                seed("waiting", "b"),
                seed("failed", "c"),
            ],
            1,
        );
        for (id, status) in [("ordered", INFO_SUBMITTED), ("failed", 2)] {
            if let Some(cert) = state.certificates.get_mut(id) {
                cert.status = status;
                cert.ordered_at_ms = Some(10_000);
            }
        }
        let delay = std::time::Duration::from_secs(2);
        assert!(!state.issue_due(11_999, delay), "not yet");
        assert_eq!(state.certificates["ordered"].status, INFO_SUBMITTED);
        assert!(state.issue_due(12_000, delay));
        assert_eq!(state.certificates["ordered"].status, ISSUED);
        assert_eq!(
            state.certificates["waiting"].status, PENDING_SUBMISSION,
            "no order"
        );
        assert_eq!(
            state.certificates["failed"].status, 2,
            "a refused review stays"
        );
        assert!(!state.issue_due(20_000, delay), "nothing more to move");
    }

    #[test]
    fn order_ids_are_unique() {
        let mut state = StateSnapshot::default();
        state.add_seed(&[seed("a", "a"), seed("b", "b")], 1);
        let first = state.next_order_id();
        if let Some(a) = state.certificates.get_mut("a") {
            a.order_id = Some(first.clone());
        }
        assert_ne!(first, state.next_order_id());
    }
}
