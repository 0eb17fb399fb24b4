//! Talking to the Tencent Cloud API.
pub mod client;
pub mod credentials;
pub mod proxy;
pub mod sign;
