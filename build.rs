//! Two build steps. embed_migrations! reads migrations/ at compile time and does not see a new
//! migration without the rerun line. And the embedded price tables are indexed here, into a
//! list of (model, entry JSON) pairs, so that no run of `tm ask` parses 200 KB of JSON
//! to find one model; the list is `prices.rs` in OUT_DIR, included by src/prices.rs.

use std::fmt::Write as _;
use std::path::Path;

const TABLES: [(&str, &str); 2] = [
    (
        "EMBEDDED_ENTRIES",
        "data/openai-prices-litellm-1.110.2.json",
    ),
    ("LEGACY_IMAGE_ENTRIES", "data/legacy-image-prices.json"),
];

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=data");
    let mut out = String::new();
    for (name, file) in TABLES {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let root: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let models = root
            .get("models")
            .and_then(serde_json::Value::as_object)
            .unwrap_or_else(|| panic!("{file}: no \"models\" object"));
        writeln!(out, "const {name}: &[(&str, &str)] = &[").expect("write to a String");
        for (model, entry) in models {
            writeln!(out, "    ({model:?}, {:?}),", entry.to_string()).expect("write to a String");
        }
        out.push_str("];\n");
    }
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("prices.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
