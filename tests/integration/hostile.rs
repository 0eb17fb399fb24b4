//! Hostile and unusual files: each gives a clear error (or works, for a BOM
//! and CRLF line ends) within bounded memory and time.
