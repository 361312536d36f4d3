// embed_migrations! reads migrations/ at compile time; without this a new migration is not embedded.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
