//! The emulator in the test process, on 127.0.0.1 with a runtime of its
//! own (so a test can inspect and bend its state), and the tccert runs
//! pointed at it.

use tccert::emulator::{
    self, CertificateState, EmulatorConfig, RunningEmulator, SeedCertificate, StateSnapshot,
};

use super::cli::{Run, Test};
use super::fixtures::{CERTIFICATE, PROFILE};

pub const SECRET_ID: &str = "AKIDtccertTest0000000000000000000000";
pub const SECRET_KEY: &str = "tccert-test-secret-key-0123456789";

/// An emulator on 127.0.0.1 with its own runtime, shut down on drop.
pub struct Emulator {
    runtime: tokio::runtime::Runtime,
    running: Option<RunningEmulator>,
}

impl Emulator {
    pub fn start(
        seed: &[(String, String)],
        faults: &[&str],
        configure: impl FnOnce(&mut EmulatorConfig),
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let mut config = EmulatorConfig {
            listen: "127.0.0.1:0".parse().expect("an address"),
            credentials: vec![(SECRET_ID.into(), SECRET_KEY.into())],
            seed: seed
                .iter()
                .map(|(id, domain)| SeedCertificate {
                    certificate_id: id.clone(),
                    domain: domain.clone(),
                    owner: None,
                })
                .collect(),
            faults: faults
                .iter()
                .map(|f| emulator::parse_fault(f).expect("a fault spec"))
                .collect(),
            ..EmulatorConfig::default()
        };
        configure(&mut config);
        let running = runtime
            .block_on(emulator::start(config))
            .expect("the emulator starts");
        Self {
            runtime,
            running: Some(running),
        }
    }

    pub fn url(&self) -> String {
        self.running
            .as_ref()
            .map(RunningEmulator::url)
            .unwrap_or_default()
    }

    pub fn snapshot(&self) -> StateSnapshot {
        self.running
            .as_ref()
            .map(RunningEmulator::snapshot)
            .expect("running")
    }

    pub fn certificate(&self, id: &str) -> CertificateState {
        self.snapshot()
            .certificates
            .get(id)
            .cloned()
            .unwrap_or_else(|| panic!("no certificate {id} in the emulator"))
    }

    pub fn running(&self) -> &RunningEmulator {
        self.running.as_ref().expect("running")
    }

    /// Shuts the server down now (the test goes on without it).
    pub fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }

    pub fn requests(&self) -> u64 {
        self.running
            .as_ref()
            .map_or(0, |r| r.snapshot().requests_by_action.values().sum())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }
}

/// A profile and `n` certificates c0..c{n-1} with ids id000000...; the ones
/// whose index is in `commit` have `commit: true`.
pub fn manifests(n: usize, commit: &[usize]) -> (Test, Vec<(String, String)>) {
    let mut test = Test::new().file("profiles/acme.yaml", PROFILE);
    let mut seed = Vec::new();
    for i in 0..n {
        let id = format!("id{i:06}");
        let domain = format!("c{i}.acme.example");
        let mut text = CERTIFICATE
            .replace("name: www", &format!("name: c{i}"))
            .replace("abcb1234", &id)
            .replace("www.acme.example", &domain);
        if commit.contains(&i) {
            text.push_str("commit: true\n");
        }
        test = test.file(&format!("certificates/c{i}.yaml"), &text);
        seed.push((id, domain));
    }
    (test, seed)
}

pub fn apply(test: Test, emulator: &Emulator, extra: &[&str]) -> Run {
    let url = emulator.url();
    let mut args = vec!["apply", ".", "--endpoint", url.as_str(), "--output", "json"];
    args.extend_from_slice(extra);
    test.args(args)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
}

pub fn results(run: &Run) -> Vec<(String, String)> {
    run.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["result"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
