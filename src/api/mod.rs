//! Talking to the Tencent Cloud API.
