//! Reading manifests: text → [`tree::Node`] (with positions) → raw documents.

pub mod load;
pub mod raw;
pub mod toml;
pub mod tree;
pub mod yaml;
