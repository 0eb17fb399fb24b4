//! The manifests many tests start from: a full profile (`acme`) and a
//! certificate (`www`, id `abcb1234`) that uses it. Tests change them with
//! `replace` to make the case at hand.

pub const PROFILE: &str = r#"apiVersion: tccert/v1
kind: Profile
name: acme
organization:
  name: Acme Ltd
  division: IT
  address: 1 Example Road
  country: CN
  region: Guangdong Province
  city: Shenzhen
  postal_code: "518000"
  phone_area_code: "0755"
  phone_number: "86013388"
admin:
  first_name: Luke
  last_name: Sky
  phone: "12345678901"
  email: admin@acme.example
  position: CTO
contact:
  first_name: Leia
  last_name: Sky
  phone: "12345678902"
  email: pki@acme.example
  position: Engineer
"#;

pub const CERTIFICATE: &str = r#"apiVersion: tccert/v1
kind: Certificate
name: www
certificate_id: abcb1234
profiles: [acme]
domain: www.acme.example
csr:
  type: online
"#;
