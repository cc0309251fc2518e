//! Fuzzes the allow-list pickle machine on its own: any bytes in, a value or an error out.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tsrun_archive::parse_pickle(data, "data");
});
