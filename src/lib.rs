//! Root package: holds the conformance tests in `tests/`.
