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
                reference.value
            ),
        )
        .at(reference.span)
        .with_label("no profile has this name");
        if let Some(near) = suggest(&reference.value, self.by_name.keys().copied()) {
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
        for profile in profiles {
            let mut path: Vec<(&RawProfile, Option<&Sourced<String>>)> = Vec::new();
            self.find_cycles(
                profile,
                None,
                &mut path,
                &mut done,
                &mut reported,
                diagnostics,
            );
        }
    }

    fn find_cycles(
        &self,
        profile: &'a RawProfile,
        via: Option<&'a Sourced<String>>,
        path: &mut Vec<(&'a RawProfile, Option<&'a Sourced<String>>)>,
        done: &mut HashSet<&'a str>,
        reported: &mut HashSet<Vec<String>>,
        diagnostics: &mut Diagnostics,
    ) {
        let name = profile.name.value.as_str();
        if let Some(start) = path.iter().position(|(p, _)| p.name.value == name) {
            let mut cycle: Vec<(&RawProfile, &Sourced<String>)> = Vec::new();
            for i in start..path.len() {
                let next_ref = if i + 1 < path.len() {
                    path[i + 1].1
                } else {
                    via
                };
                if let Some(reference) = next_ref {
                    cycle.push((path[i].0, reference));
                }
            }
            let mut key: Vec<String> = cycle.iter().map(|(p, _)| p.name.value.clone()).collect();
            key.sort();
            if reported.insert(key) && !cycle.is_empty() {
                let names: Vec<&str> = cycle
                    .iter()
                    .map(|(p, _)| p.name.value.as_str())
                    .chain(std::iter::once(name))
                    .collect();
                let (first, first_ref) = cycle[0];
                let mut d = Diagnostic::error(
                    Code::ProfileCycle,
                    format!(
                        "profiles build on each other in a cycle: {}",
                        names.join(" → ")
                    ),
                )
                .at(first_ref.span)
                .with_label(format!(
                    "`{}` builds on `{}` here",
                    first.name.value, first_ref.value
                ));
                for (p, reference) in &cycle[1..] {
                    d = d.related(
                        reference.span,
                        format!("`{}` builds on `{}` here", p.name.value, reference.value),
                    );
                }
                diagnostics.push(d.hint("remove one of these references"));
            }
            return;
        }
        if done.contains(name) {
            return;
        }
        path.push((profile, via));
        for reference in &profile.profiles {
            if let Some(next) = self.get(&reference.value) {
                self.find_cycles(next, Some(reference), path, done, reported, diagnostics);
            }
        }
        path.pop();
        done.insert(name);
    }

    /// The profiles a certificate merges, in application order. `None` when a
    /// reference is missing or cyclic: that is reported, and the certificate
    /// cannot be merged meaningfully.
    pub fn linearize(
        &self,
        certificate: &RawCertificate,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<&'a RawProfile>> {
        let mut order = Vec::new();
        let mut ok = true;
        for reference in &certificate.profiles {
            match self.get(&reference.value) {
                Some(profile) => ok &= self.visit(profile, &mut Vec::new(), &mut order),
                None => {
                    if !self.excused(reference) {
                        diagnostics.push(self.unknown(
                            reference,
                            &format!("certificate `{}`", certificate.name.value),
                        ));
                    }
                    ok = false;
                }
            }
        }
        ok.then_some(order)
    }

    fn visit(
        &self,
        profile: &'a RawProfile,
        stack: &mut Vec<&'a str>,
        order: &mut Vec<&'a RawProfile>,
    ) -> bool {
        let name = profile.name.value.as_str();
        if stack.contains(&name) {
            return false; // a cycle, reported by `check`
        }
        stack.push(name);
        let mut ok = true;
        for reference in &profile.profiles {
            match self.get(&reference.value) {
                Some(parent) => ok &= self.visit(parent, stack, order),
                None => ok = false, // reported by `check`
            }
        }
        stack.pop();
        if !order.iter().any(|p| p.name.value == name) {
            order.push(profile);
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
}
