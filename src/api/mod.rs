//! Talking to the Tencent Cloud API.
pub mod action;
pub mod client;
pub mod credentials;
pub mod error;
pub mod param;
pub mod product;
pub mod proxy;
pub mod reply;
pub mod request;
pub mod sign;
pub mod status;
