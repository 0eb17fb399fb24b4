//! Profile merging, with provenance.
//!
//! The rule (docs/manifest-format.md, "Merging"): each profile in a certificate's `profiles`,
//! left to right, a profile's own `profiles` resolved first, depth-first; then
//! the certificate. Later layers win. Maps (`organization`, `admin`,
//! `contact`) merge key by key; scalars and lists are replaced whole.
//!
//! A profile reached twice (a diamond: `a` and `b` both build on `base`) is
//! applied once, at its first position. Applying it again would let `base`
//! overwrite what `a` had set on top of it, which nobody means.

/// The deepest chain of profiles building on each other (`profile-depth`).
pub const MAX_PROFILE_DEPTH: usize = 64;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::certificate::{Layer, Setting};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::Field;
use crate::manifest::raw::{RawCertificate, RawProfile};
use crate::manifest::schema::suggest;
use crate::source::Sourced;

/// Profiles by name, first definition wins (duplicates are reported elsewhere).
pub struct ProfileIndex<'a> {
    by_name: HashMap<&'a str, &'a RawProfile>,
    /// Missing profiles not to report: they may be in a file that failed to
    /// read, which is reported instead (`Loaded::unread_profiles`).
    excused: &'a [String],
}

impl<'a> ProfileIndex<'a> {
    pub fn new(profiles: impl IntoIterator<Item = &'a RawProfile>) -> Self {
        let mut by_name = HashMap::new();
        for profile in profiles {
            by_name
                .entry(profile.name.value.as_str())
                .or_insert(profile);
        }
        Self {
            by_name,
            excused: &[],
        }
    }

    /// Leaves references to `names` unreported when they are missing.
    pub fn excusing(self, names: &'a [String]) -> Self {
        Self {
            excused: names,
            ..self
        }
    }

    fn excused(&self, reference: &Sourced<String>) -> bool {
        self.excused.contains(&reference.value)
    }

    fn get(&self, name: &str) -> Option<&'a RawProfile> {
        self.by_name.get(name).copied()
    }

    fn unknown(&self, reference: &Sourced<String>, from: &str) -> Diagnostic {
        let mut d = Diagnostic::error(
            Code::UnknownProfile,
            format!(
                "{from} uses profile `{}`, which does not exist",
                super::shown(reference)
            ),
        )
        .at(reference.span)
        .with_label("no profile has this name");
        // No "did you mean" for a value from the environment: it would tell
        // what the value is like.
        if let Some(near) =
            suggest(&reference.value, self.by_name.keys().copied()).filter(|_| !reference.secret)
        {
            d = d.hint(format!("did you mean `{near}`?"));
        } else {
            d = d.note("profiles are documents with `kind: Profile` among the PATHs given");
        }
        d
    }

    /// Reports every reference to a missing profile and every cycle among
    /// profiles, once each, with all the places involved.
    pub fn check(&self, profiles: &[&'a RawProfile], diagnostics: &mut Diagnostics) {
        for profile in profiles {
            for reference in &profile.profiles {
                if self.get(&reference.value).is_none() && !self.excused(reference) {
                    diagnostics.push(
                        self.unknown(reference, &format!("profile `{}`", profile.name.value)),
                    );
                }
            }
        }
        let mut reported: HashSet<Vec<String>> = HashSet::new();
        let mut done: HashSet<&str> = HashSet::new();
        // The longest chain of profiles from each (itself included), cycles
        // left out: computed once per profile, so the cost is linear in the
        // number of references however many paths reach a profile.
        let mut depth: HashMap<&'a str, usize> = HashMap::new();
        for profile in profiles {
            self.find_cycles(profile, &mut done, &mut depth, &mut reported, diagnostics);
        }
        // `profile-depth` once per chain, where it starts: at a profile too
        // deep that no profile too deep builds on.
        let too_deep = |name: &str| depth.get(name).is_some_and(|d| *d > MAX_PROFILE_DEPTH);
        let mut below_another: HashSet<&str> = HashSet::new();
        for profile in profiles {
            if too_deep(&profile.name.value) {
                for reference in &profile.profiles {
                    below_another.insert(reference.value.as_str());
                }
            }
        }
        for profile in profiles {
            let name = profile.name.value.as_str();
            if too_deep(name) && !below_another.contains(name) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::ProfileDepth,
                        format!(
                            "profile `{name}` starts a chain of {} profiles, each building on the next: more than {MAX_PROFILE_DEPTH}",
                            depth[name]
                        ),
                    )
                    .at(profile.name.span)
                    .note("a deep chain is slow to read and to review; profiles meant to share fields can each be listed on the certificate")
                    .hint(format!("make the chain at most {MAX_PROFILE_DEPTH} profiles deep")),
                );
            }
        }
    }

    /// Depth-first from `root` without recursion (a chain of any length
    /// cannot exhaust the stack): reports each cycle once, with every
    /// place involved, and records each profile's depth.
    fn find_cycles(
        &self,
        root: &'a RawProfile,
        done: &mut HashSet<&'a str>,
        depth: &mut HashMap<&'a str, usize>,
        reported: &mut HashSet<Vec<String>>,
        diagnostics: &mut Diagnostics,
    ) {
        if done.contains(root.name.value.as_str()) {
            return;
        }
        // The path: each profile, the reference that led to it, the next
        // reference to follow, and the deepest chain below it so far.
        let mut path: Vec<(&'a RawProfile, Option<&'a Sourced<String>>, usize, usize)> =
            vec![(root, None, 0, 0)];
        let mut on_path: HashMap<&'a str, usize> = HashMap::from([(root.name.value.as_str(), 0)]);
        while let Some(top) = path.last_mut() {
            let (profile, _, next, _) = *top;
            if let Some(reference) = profile.profiles.get(next) {
                top.2 += 1;
                let Some(parent) = self.get(&reference.value) else {
                    continue;
                };
                let name = parent.name.value.as_str();
                if let Some(&start) = on_path.get(name) {
                    self.report_cycle(&path, start, reference, reported, diagnostics);
                } else if let Some(&below) = depth.get(name) {
                    top.3 = top.3.max(below);
                } else if !done.contains(name) {
                    on_path.insert(name, path.len());
                    path.push((parent, Some(reference), 0, 0));
                }
            } else {
                let (profile, _, _, below) = path.pop().unwrap_or((profile, None, 0, 0));
                let name = profile.name.value.as_str();
                on_path.remove(name);
                done.insert(name);
                depth.insert(name, below + 1);
                if let Some(parent) = path.last_mut() {
                    parent.3 = parent.3.max(below + 1);
                }
            }
        }
    }

    fn report_cycle(
        &self,
        path: &[(&'a RawProfile, Option<&'a Sourced<String>>, usize, usize)],
        start: usize,
        via: &'a Sourced<String>,
        reported: &mut HashSet<Vec<String>>,
        diagnostics: &mut Diagnostics,
    ) {
        let name = path[start].0.name.value.as_str();
        let mut cycle: Vec<(&RawProfile, &Sourced<String>)> = Vec::new();
        for i in start..path.len() {
            let next_ref = if i + 1 < path.len() {
                path[i + 1].1
            } else {
                Some(via)
            };
            if let Some(reference) = next_ref {
                cycle.push((path[i].0, reference));
            }
        }
        let mut key: Vec<String> = cycle.iter().map(|(p, _)| p.name.value.clone()).collect();
        key.sort();
        if !reported.insert(key) || cycle.is_empty() {
            return;
        }
        // A long cycle is named by its first and last steps: every place
        // of a cycle of thousands would bury the rest of the output.
        const SHOWN: usize = 10;
        let mut names: Vec<&str> = cycle.iter().map(|(p, _)| p.name.value.as_str()).collect();
        names.push(name);
        let listed = if names.len() > 2 * SHOWN {
            format!(
                "{} → … ({} more) → {}",
                names[..SHOWN].join(" → "),
                names.len() - 2 * SHOWN,
                names[names.len() - SHOWN..].join(" → ")
            )
        } else {
            names.join(" → ")
        };
        let (first, first_ref) = cycle[0];
        let mut d = Diagnostic::error(
            Code::ProfileCycle,
            format!("profiles build on each other in a cycle: {listed}"),
        )
        .at(first_ref.span)
        .with_label(format!(
            "`{}` builds on `{}` here",
            first.name.value, first_ref.value
        ));
        for (p, reference) in cycle[1..].iter().take(SHOWN) {
            d = d.related(
                reference.span,
                format!("`{}` builds on `{}` here", p.name.value, reference.value),
            );
        }
        if cycle.len() > SHOWN + 1 {
            d = d.note(format!("and {} more steps", cycle.len() - SHOWN - 1));
        }
        diagnostics.push(d.hint("remove one of these references"));
    }

    /// The profiles a certificate merges, in application order. `None` when a
    /// reference is missing or cyclic, or a chain is too deep: that is
    /// reported, and the certificate cannot be merged meaningfully.
    ///
    /// Each profile is visited once however many paths reach it (a diamond
    /// 40 levels deep has 2^40 paths), and without recursion.
    pub fn linearize(
        &self,
        certificate: &RawCertificate,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<&'a RawProfile>> {
        let mut order = Vec::new();
        let mut visited: HashSet<&'a str> = HashSet::new();
        let mut ok = true;
        for reference in &certificate.profiles {
            if let Some(profile) = self.get(&reference.value) {
                ok &= self.visit(profile, &mut visited, &mut order);
            } else {
                if !self.excused(reference) {
                    diagnostics.push(self.unknown(
                        reference,
                        &format!("certificate `{}`", certificate.name.value),
                    ));
                }
                ok = false;
            }
        }
        ok.then_some(order)
    }

    /// Appends `root` and the profiles it builds on, each after those it
    /// builds on (depth first, in the order written), skipping the visited.
    fn visit(
        &self,
        root: &'a RawProfile,
        visited: &mut HashSet<&'a str>,
        order: &mut Vec<&'a RawProfile>,
    ) -> bool {
        if !visited.insert(root.name.value.as_str()) {
            return true;
        }
        let mut ok = true;
        let mut stack: Vec<(&'a RawProfile, usize)> = vec![(root, 0)];
        let mut on_stack: HashSet<&'a str> = HashSet::from([root.name.value.as_str()]);
        while let Some(top) = stack.last_mut() {
            let (profile, next) = *top;
            if let Some(reference) = profile.profiles.get(next) {
                top.1 += 1;
                match self.get(&reference.value) {
                    None => ok = false, // reported by `check`
                    Some(parent) => {
                        let name = parent.name.value.as_str();
                        if on_stack.contains(name) || stack.len() >= MAX_PROFILE_DEPTH {
                            ok = false; // a cycle or too deep, reported by `check`
                        } else if visited.insert(name) {
                            on_stack.insert(name);
                            stack.push((parent, 0));
                        }
                    }
                }
            } else {
                stack.pop();
                on_stack.remove(profile.name.value.as_str());
                order.push(profile);
            }
        }
        ok
    }
}

/// Overlays the layers: profiles in order, then the certificate.
pub fn merge_fields(
    layers: &[&RawProfile],
    certificate: &RawCertificate,
) -> BTreeMap<Field, Setting> {
    let mut merged = BTreeMap::new();
    let sources = layers
        .iter()
        .map(|p| (Layer::Profile(p.name.value.clone()), &p.fields))
        .chain(std::iter::once((
            Layer::Certificate(certificate.name.value.clone()),
            &certificate.fields,
        )));
    for (layer, fields) in sources {
        for (field, value) in fields {
            merged.insert(
                *field,
                Setting {
                    value: value.value.clone(),
                    layer: layer.clone(),
                    span: value.span,
                    secret: value.secret,
                },
            );
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::raw::RawDocument;
    use crate::manifest::testing::loaded;

    /// A profile named `name` building on `parents`, setting the fields given
    /// as YAML lines under `organization`.
    fn profile(name: &str, parents: &str, organization: &str) -> String {
        format!(
            "apiVersion: tccert/v1\nkind: Profile\nname: {name}\nprofiles: [{parents}]\norganization:\n{organization}"
        )
    }

    fn split(
        documents: &[(crate::source::FileId, RawDocument)],
    ) -> (Vec<&RawProfile>, Vec<&RawCertificate>) {
        let mut profiles = Vec::new();
        let mut certificates = Vec::new();
        for (_, document) in documents {
            match document {
                RawDocument::Profile(p) => profiles.push(p),
                RawDocument::Certificate(c) => certificates.push(c.as_ref()),
                RawDocument::Account(_) => {}
            }
        }
        (profiles, certificates)
    }

    const CERTIFICATE: &str = "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: abc1\nprofiles: [a, b]\ndomain: www.acme.example\ncsr:\n  type: online\norganization:\n  city: Beijing\n";

    #[test]
    fn a_diamond_is_applied_once_depth_first_and_later_layers_win() {
        let base = profile(
            "base",
            "",
            "  name: Base Ltd\n  city: Shenzhen\n  country: CN\n",
        );
        let a = profile("a", "base", "  name: A Ltd\n");
        let b = profile("b", "base", "  division: B\n");
        let loaded = loaded(&[
            ("base.yaml", &base),
            ("a.yaml", &a),
            ("b.yaml", &b),
            ("www.yaml", CERTIFICATE),
        ]);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let (profiles, certificates) = split(&loaded.documents);
        let index = ProfileIndex::new(profiles.iter().copied());
        let mut diagnostics = Diagnostics::default();
        index.check(&profiles, &mut diagnostics);
        let layers = index
            .linearize(certificates[0], &mut diagnostics)
            .expect("no missing or cyclic profile");
        let order: Vec<&str> = layers.iter().map(|p| p.name.value.as_str()).collect();
        assert_eq!(order, ["base", "a", "b"], "base once, at its first place");
        let merged = merge_fields(&layers, certificates[0]);
        let value = |field: Field| {
            merged
                .get(&field)
                .map(|s| (s.value.as_str(), s.layer.to_string()))
        };
        assert_eq!(
            value(Field::OrganizationName),
            Some(("A Ltd", "profile `a`".to_string())),
            "a applied after base; b's re-use of base does not undo it"
        );
        assert_eq!(
            value(Field::OrganizationDivision),
            Some(("B", "profile `b`".to_string()))
        );
        assert_eq!(
            value(Field::OrganizationCity),
            Some(("Beijing", "certificate `www`".to_string()))
        );
        assert_eq!(
            value(Field::OrganizationCountry),
            Some(("CN", "profile `base`".to_string()))
        );
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn missing_and_cyclic_profiles_are_reported_and_stop_the_merge() {
        let a = profile("a", "b", "  name: A\n");
        let b = profile("b", "a", "  name: B\n");
        let certificate = CERTIFICATE.replace("profiles: [a, b]", "profiles: [a, bb]");
        let loaded = loaded(&[("a.yaml", &a), ("b.yaml", &b), ("www.yaml", &certificate)]);
        let (profiles, certificates) = split(&loaded.documents);
        let index = ProfileIndex::new(profiles.iter().copied());
        let mut diagnostics = Diagnostics::default();
        index.check(&profiles, &mut diagnostics);
        assert!(index.linearize(certificates[0], &mut diagnostics).is_none());
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes.iter().filter(|c| **c == "profile-cycle").count(),
            1,
            "one cycle, reported once: {codes:?}"
        );
        let unknown = diagnostics
            .iter()
            .find(|d| d.code == Code::UnknownProfile)
            .expect("the missing profile");
        assert_eq!(
            unknown.message,
            "certificate `www` uses profile `bb`, which does not exist"
        );
        assert_eq!(unknown.hint.as_deref(), Some("did you mean `b`?"));
    }

    fn run(text: &str) -> (Diagnostics, Option<usize>, std::time::Duration) {
        let started = std::time::Instant::now();
        // A file holds at most 10,000 documents: 1,000 to a file here.
        let documents: Vec<&str> = text.split_inclusive("---\n").collect();
        let texts: Vec<(String, String)> = documents
            .chunks(1000)
            .enumerate()
            .map(|(i, chunk)| (format!("p{i:03}.yaml"), chunk.concat()))
            .collect();
        let files: Vec<(&str, &str)> = texts
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let loaded = loaded(&files);
        let (profiles, certificates) = split(&loaded.documents);
        let index = ProfileIndex::new(profiles.iter().copied());
        let mut diagnostics = Diagnostics::default();
        index.check(&profiles, &mut diagnostics);
        let layers = certificates
            .first()
            .and_then(|c| index.linearize(c, &mut diagnostics))
            .map(|l| l.len());
        (diagnostics, layers, started.elapsed())
    }

    fn codes(diagnostics: &Diagnostics) -> Vec<&'static str> {
        diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    fn document(name: &str, parents: &[String]) -> String {
        format!(
            "apiVersion: tccert/v1\nkind: Profile\nname: {name}\nprofiles: [{}]\n---\n",
            parents.join(", ")
        )
    }

    #[test]
    fn a_diamond_forty_deep_resolves_each_profile_once() {
        // p{i}: [a{i}, b{i}], both [p{i+1}]: 2^40 paths, 121 profiles.
        let mut text = String::new();
        for i in 0..40 {
            text += &document(&format!("p{i}"), &[format!("a{i}"), format!("b{i}")]);
            for side in ["a", "b"] {
                text += &document(&format!("{side}{i}"), &[format!("p{}", i + 1)]);
            }
        }
        text += &document("p40", &[]);
        text += "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: abc1\nprofiles: [p0]\ndomain: www.acme.example\ncsr:\n  type: online\n";
        // 81 profiles deep: too deep, and told at once.
        let (diagnostics, layers, took) = run(&text);
        assert_eq!(codes(&diagnostics), ["profile-depth"]);
        assert_eq!(layers, None);
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
        // 30 levels (61 deep, 2^30 paths) is within the limit and merges
        // each of its 91 profiles once.
        let mut text = String::new();
        for i in 0..30 {
            text += &document(&format!("p{i}"), &[format!("a{i}"), format!("b{i}")]);
            for side in ["a", "b"] {
                text += &document(&format!("{side}{i}"), &[format!("p{}", i + 1)]);
            }
        }
        text += &document("p30", &[]);
        text += "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: abc1\nprofiles: [p0]\ndomain: www.acme.example\ncsr:\n  type: online\n";
        let (diagnostics, layers, took) = run(&text);
        assert!(codes(&diagnostics).is_empty(), "{:?}", codes(&diagnostics));
        assert_eq!(layers, Some(91));
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    }

    fn chain(count: usize, cycle: bool) -> String {
        let mut text = String::new();
        for i in 0..count {
            let next = if i + 1 < count {
                vec![format!("c{}", i + 1)]
            } else if cycle {
                vec!["c0".to_string()]
            } else {
                vec![]
            };
            text += &document(&format!("c{i}"), &next);
        }
        text += "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: abc1\nprofiles: [c0]\ndomain: www.acme.example\ncsr:\n  type: online\n";
        text
    }

    #[test]
    fn a_chain_deeper_than_64_is_one_diagnostic_where_it_starts() {
        let (diagnostics, layers, _) = run(&chain(64, false));
        assert!(codes(&diagnostics).is_empty());
        assert_eq!(layers, Some(64));
        let (diagnostics, layers, _) = run(&chain(65, false));
        assert_eq!(codes(&diagnostics), ["profile-depth"]);
        let first = diagnostics.iter().next().map(|d| d.message.clone());
        assert!(first.is_some_and(|m| m.contains("`c0`")));
        assert_eq!(layers, None);
    }

    #[test]
    fn twelve_thousand_profiles_in_a_chain_or_a_cycle_are_diagnostics_not_an_abort() {
        // Run on a small stack: recursion over the chain would overflow it.
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let (chain_found, _, _) = run(&chain(12_000, false));
                let (cycle_found, _, _) = run(&chain(12_000, true));
                (
                    codes(&chain_found),
                    codes(&cycle_found),
                    cycle_found
                        .iter()
                        .next()
                        .map(|d| (d.message.len(), d.related.len())),
                )
            })
            .expect("a thread");
        let (chain_codes, cycle_codes, cycle_size) = handle.join().expect("no overflow");
        assert_eq!(chain_codes, ["profile-depth"], "{chain_codes:?}");
        assert!(cycle_codes.contains(&"profile-cycle"), "{cycle_codes:?}");
        // The cycle is named by its ends, not 12,000 places.
        let (message, related) = cycle_size.unwrap_or_default();
        assert!(message < 1000 && related <= 10, "{message} {related}");
    }
}
