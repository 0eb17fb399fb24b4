//! Talking to the Tencent Cloud API.
pub mod action;
pub mod credentials;
pub mod error;
pub mod param;
pub mod product;
pub mod reply;
pub mod request;
pub mod sign;
pub mod signed;
pub mod status;
