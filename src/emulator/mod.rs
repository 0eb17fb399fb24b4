//! A local emulator of the Tencent Cloud SSL API.
