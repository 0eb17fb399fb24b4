//! Property tests of the pure core: merging and interpolation, and the YAML
//! and TOML readers on arbitrary text. Through the library API, not the
//! binary; case counts are kept modest so the module runs in a few seconds.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use proptest::prelude::*;
use tccert::certificate::Layer;
use tccert::diag::Diagnostics;
use tccert::field::Field;
use tccert::manifest::interpolate::{InterpolationError, interpolate};
use tccert::manifest::raw::{CsrType, RawCertificate, RawCsr, RawProfile};
use tccert::source::Sourced;
use tccert::source::{Files, Span};
use tccert::validate::merge::{ProfileIndex, merge_fields};

// --- interpolation ---------------------------------------------------------

/// Text without a `$`: any characters at all, newlines and braces included.
fn plain_text() -> impl Strategy<Value = String> {
    "[^$]{0,40}"
}

fn variable_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,8}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn text_without_a_dollar_is_unchanged(text in plain_text()) {
        let done = interpolate(&text, &|_| panic!("no variable is read")).expect("interpolates");
        prop_assert_eq!(done.text, text);
        prop_assert!(!done.from_environment);
    }

    #[test]
    fn escaping_every_dollar_round_trips(text in any::<String>()) {
        let escaped = text.replace('$', "$$");
        let done = interpolate(&escaped, &|_| Some("never".into())).expect("interpolates");
        prop_assert_eq!(done.text, text);
        prop_assert!(!done.from_environment);
    }

    #[test]
    fn a_set_variable_yields_exactly_its_value(
        name in variable_name(),
        value in prop_oneof![Just(String::new()), any::<String>()],
        before in plain_text(),
        after in plain_text(),
        default in "[^}]{0,10}",
        with_default in any::<bool>(),
    ) {
        let reference = if with_default {
            format!("${{{name}:-{default}}}")
        } else {
            format!("${{{name}}}")
        };
        let text = format!("{before}{reference}{after}");
        let lookup = |n: &str| (n == name).then(|| value.clone());
        let result = interpolate(&text, &lookup);
        // Empty is an error without a default (`empty-variable`), and
        // takes the default with one.
        if value.is_empty() && !with_default {
            prop_assert_eq!(result, Err(InterpolationError::Empty { name }));
            return Ok(());
        }
        let done = result.expect("interpolates");
        let expected = if value.is_empty() { &default } else { &value };
        prop_assert_eq!(done.text, format!("{before}{expected}{after}"));
        // Any `${...}` form counts as from the environment, a default taken too.
        prop_assert!(done.from_environment);
    }

    #[test]
    fn never_panics_and_marks_exactly_what_came_from_the_environment(
        text in "([a-z ]|\\$|\\{|\\}|:-|A|B|C){0,40}",
        set in proptest::collection::btree_map("[ABC]", "[a-z$}]{1,4}", 0..3),
    ) {
        // Every set variable has a non-empty value, so "read" and "used"
        // coincide (the empty case is in the test above).
        let read = std::cell::Cell::new(false);
        let lookup = |name: &str| {
            let value = set.get(name).cloned();
            read.set(read.get() || value.is_some());
            value
        };
        if let Ok(done) = interpolate(&text, &lookup) {
            // Any `${...}` form counts, whichever branch was taken.
            let any_form = !tccert::manifest::interpolate::referenced_names(&text).is_empty();
            prop_assert_eq!(done.from_environment, any_form, "{:?}", text);
            prop_assert!(any_form || !read.get(), "{:?}", text);
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = interpolate(&text, &|name| (name.len() % 2 == 0).then(|| name.to_lowercase()));
    }
}

// --- merging ---------------------------------------------------------------

fn span() -> Span {
    let mut files = Files::default();
    let file = files.add(PathBuf::from("p.yaml"), "x\n".into());
    Span {
        file,
        line: 1,
        column: 1,
        length: 1,
    }
}

fn sourced(text: &str) -> Sourced<String> {
    Sourced::new(text.to_string(), span())
}

fn profile(name: &str, parents: &[String], fields: &BTreeMap<Field, String>) -> RawProfile {
    RawProfile {
        had_errors: false,
        name: sourced(name),
        profiles: parents.iter().map(|p| sourced(p)).collect(),
        account: None,
        purchase: None,
        confirm_letter: None,
        fields: fields.iter().map(|(f, v)| (*f, sourced(v))).collect(),
    }
}

fn certificate(profiles: &[String], fields: &BTreeMap<Field, String>) -> RawCertificate {
    RawCertificate {
        had_errors: false,
        name: sourced("cert"),
        certificate_id: Some(sourced("id")),
        profiles: profiles.iter().map(|p| sourced(p)).collect(),
        domain: sourced("www.acme.example"),
        domains: None,
        dv: None,
        commit: None,
        api: None,
        company_type: None,
        account: None,
        purchase: None,
        confirm_letter: None,
        csr: RawCsr {
            span: span(),
            kind: Sourced::new(CsrType::Online, span()),
            key_password: None,
            key_algorithm: None,
            key_parameter: None,
            file: None,
            pem: None,
            loaded_file: None,
        },
        fields: fields.iter().map(|(f, v)| (*f, sourced(v))).collect(),
    }
}

/// A few fields with short values, so that layers often overlap.
fn fields() -> impl Strategy<Value = BTreeMap<Field, String>> {
    proptest::collection::btree_map(
        proptest::sample::select(&Field::ALL[..6]),
        "[a-z]{1,3}",
        0..4,
    )
}

/// Up to six profiles `p0`..; `p{i}` builds only on profiles before it, so
/// there is no cycle. Each profile's parents, and its fields.
fn profile_graph() -> impl Strategy<Value = Vec<(Vec<String>, BTreeMap<Field, String>)>> {
    proptest::collection::vec((proptest::collection::vec(0..6usize, 0..3), fields()), 1..7)
        .prop_map(|profiles| {
            profiles
                .into_iter()
                .enumerate()
                .map(|(i, (parents, fields))| {
                    let parents = parents
                        .into_iter()
                        .filter(|&p| p < i)
                        .map(|p| format!("p{p}"))
                        .collect();
                    (parents, fields)
                })
                .collect()
        })
}

/// The documented rule, written differently from `merge.rs`: expand every
/// reference into its full depth-first list (parents first, then itself,
/// duplicates and all), then keep each profile at its first position.
fn documented_order(graph: &HashMap<String, Vec<String>>, references: &[String]) -> Vec<String> {
    fn expand(graph: &HashMap<String, Vec<String>>, name: &str, out: &mut Vec<String>) {
        for parent in &graph[name] {
            expand(graph, parent, out);
        }
        out.push(name.to_string());
    }
    let mut full = Vec::new();
    for reference in references {
        expand(graph, reference, &mut full);
    }
    let mut order: Vec<String> = Vec::new();
    for name in full {
        if !order.contains(&name) {
            order.push(name);
        }
    }
    order
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Without nesting: each field comes from the certificate if it sets it,
    /// else from the last listed profile that does; a field no layer sets
    /// stays unset.
    #[test]
    fn the_last_layer_to_set_a_field_wins(
        layers in proptest::collection::vec(fields(), 0..5),
        own in fields(),
    ) {
        let profiles: Vec<RawProfile> = layers
            .iter()
            .enumerate()
            .map(|(i, f)| profile(&format!("p{i}"), &[], f))
            .collect();
        let names: Vec<String> = (0..layers.len()).map(|i| format!("p{i}")).collect();
        let cert = certificate(&names, &own);
        let index = ProfileIndex::new(&profiles);
        let mut diagnostics = Diagnostics::default();
        let order = index.linearize(&cert, &mut diagnostics).expect("no missing profile");
        let merged = merge_fields(&order, &cert);
        for field in Field::ALL {
            let expected = own
                .get(&field)
                .map(|v| (v.clone(), Layer::Certificate("cert".into())))
                .or_else(|| {
                    layers.iter().enumerate().rev().find_map(|(i, f)| {
                        f.get(&field).map(|v| (v.clone(), Layer::Profile(format!("p{i}"))))
                    })
                });
            let got = merged.get(&field).map(|s| (s.value.clone(), s.layer.clone()));
            prop_assert_eq!(got, expected, "{:?}", field);
        }
    }

    /// Profiles in any nesting: the application order is the documented
    /// depth-first rule, and each field holds the value of the last layer in
    /// that order (the certificate last) that sets it.
    #[test]
    fn order_follows_the_depth_first_rule(
        graph in profile_graph(),
        references in proptest::collection::vec(0..6usize, 0..5),
        own in fields(),
    ) {
        let names: Vec<String> = (0..graph.len()).map(|i| format!("p{i}")).collect();
        let profiles: Vec<RawProfile> = graph
            .iter()
            .zip(&names)
            .map(|((parents, fields), name)| profile(name, parents, fields))
            .collect();
        let references: Vec<String> = references
            .into_iter()
            .filter(|&r| r < graph.len())
            .map(|r| format!("p{r}"))
            .collect();
        let cert = certificate(&references, &own);
        let index = ProfileIndex::new(&profiles);
        let mut diagnostics = Diagnostics::default();
        let order = index.linearize(&cert, &mut diagnostics).expect("no cycle, no missing profile");
        prop_assert!(diagnostics.is_empty());
        let got: Vec<String> = order.iter().map(|p| p.name.value.clone()).collect();
        let parents: HashMap<String, Vec<String>> = names
            .iter()
            .cloned()
            .zip(graph.iter().map(|(p, _)| p.clone()))
            .collect();
        prop_assert_eq!(&got, &documented_order(&parents, &references));

        let merged = merge_fields(&order, &cert);
        for field in Field::ALL {
            let expected = own.get(&field).cloned().or_else(|| {
                got.iter().rev().find_map(|name| {
                    let i: usize = name[1..].parse().expect("p<i>");
                    graph[i].1.get(&field).cloned()
                })
            });
            prop_assert_eq!(merged.get(&field).map(|s| s.value.clone()), expected);
        }
    }

    /// Listing a profile again (directly, or again through another) changes
    /// nothing: it is applied once, at its first position.
    #[test]
    fn repeating_profiles_is_idempotent(
        graph in profile_graph(),
        references in proptest::collection::vec(0..6usize, 1..5),
        repeats in proptest::collection::vec(any::<proptest::sample::Index>(), 1..4),
        own in fields(),
    ) {
        let names: Vec<String> = (0..graph.len()).map(|i| format!("p{i}")).collect();
        let profiles: Vec<RawProfile> = graph
            .iter()
            .zip(&names)
            .map(|((parents, fields), name)| profile(name, parents, fields))
            .collect();
        let references: Vec<String> = references
            .into_iter()
            .map(|r| format!("p{}", r % graph.len()))
            .collect();
        let mut repeated = references.clone();
        for index in &repeats {
            repeated.push(references[index.index(references.len())].clone());
        }
        let index = ProfileIndex::new(&profiles);
        let mut diagnostics = Diagnostics::default();
        let once = certificate(&references, &own);
        let twice = certificate(&repeated, &own);
        let order_once = index.linearize(&once, &mut diagnostics).expect("resolves");
        let order_twice = index.linearize(&twice, &mut diagnostics).expect("resolves");
        let names_of = |order: &[&RawProfile]| -> Vec<String> {
            order.iter().map(|p| p.name.value.clone()).collect()
        };
        prop_assert_eq!(names_of(&order_once), names_of(&order_twice));
        let values = |order: &[&RawProfile], cert: &RawCertificate| -> BTreeMap<Field, (String, Layer)> {
            merge_fields(order, cert)
                .into_iter()
                .map(|(f, s)| (f, (s.value, s.layer)))
                .collect()
        };
        prop_assert_eq!(values(&order_once, &once), values(&order_twice, &twice));
    }
}

// --- the readers -----------------------------------------------------------

/// Text made mostly of YAML and TOML punctuation, so that the generated
/// inputs reach deep into both grammars rather than failing at byte one.
fn structured_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\n".to_string()),
            Just("  ".to_string()),
            Just("- ".to_string()),
            Just(": ".to_string()),
            Just(" = ".to_string()),
            Just("---\n".to_string()),
            proptest::sample::select(vec![
                "[",
                "]",
                "{",
                "}",
                ",",
                "&a ",
                "*a",
                "!!str ",
                "? ",
                "|\n",
                ">-\n",
                "'",
                "\"",
                "#",
                "\u{feff}",
                "\r\n",
                "\t",
                "[t]",
                "[[t]]",
                "a.b",
                "0755",
                "1e3",
                "true",
                "~",
                "null",
                "${A}",
                "$$",
                "0x1F",
                "2024-01-01",
                "\"\"\"",
                "'''",
                "\\u00e9",
                "<<",
                "%YAML 1.2\n",
                "...\n",
                "é",
                "\u{0}",
            ])
            .prop_map(str::to_string),
            "[a-z0-9_]{1,6}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

fn parse_both(text: &str) {
    let mut files = Files::default();
    let yaml = files.add(PathBuf::from("t.yaml"), text.to_string());
    let _ = tccert::manifest::yaml::parse(yaml, &files.get(yaml).text);
    let toml = files.add(PathBuf::from("t.toml"), text.to_string());
    let _ = tccert::manifest::toml::parse(toml, files.get(toml));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_readers_never_panic_on_arbitrary_strings(text in any::<String>()) {
        parse_both(&text);
    }

    #[test]
    fn the_readers_never_panic_on_structured_strings(text in structured_text()) {
        parse_both(&text);
    }
}
