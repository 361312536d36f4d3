//! Attachment recognition on arbitrary bytes: a kind or a refusal, and an image's header
//! read without a panic, as `tm ask -a` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tm::attach::{self, Kind};

fuzz_target!(|bytes: &[u8]| {
    if let Some((Kind::Image, _)) = attach::sniff(bytes) {
        let _ = imagesize::blob_size(bytes);
    }
    let _ = attach::sha256_hex(bytes);
});
