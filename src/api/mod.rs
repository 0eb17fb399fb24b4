//! Talking to the Tencent Cloud API.
pub mod sign;
