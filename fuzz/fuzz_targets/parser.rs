//! Fuzzes the printed-code lexer and parser (`parse_file`, and `parse_expr` for type strings).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The archive reader only hands UTF-8 to the parser; lossy decoding keeps every input useful.
    let text = String::from_utf8_lossy(data);
    let _ = tsrun_script::parse_file("code/__torch__.py", &text);
    let _ = tsrun_script::parse_expr("type", &text);
});
