//! Embeds `migrations/` for the runtimes that apply it themselves (Spin's ops component, the
//! native adapter): every `.sql` file in name order, as its statements alone
//! ([`script::statements`]), so the comments that explain a migration stay in the file and out
//! of the wasm. SQLite keeps a schema object's text from its first token to its end either way,
//! so the schema is the same as wrangler's from the whole file.

#[path = "src/store/script.rs"]
mod script;

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    println!("cargo::rerun-if-changed={}", source.display());
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("migrations");
    fs::create_dir_all(&out).expect("OUT_DIR/migrations");
    let mut names: Vec<String> = fs::read_dir(&source)
        .expect("migrations/")
        .map(|entry| entry.expect("migrations/ entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    names.sort();
    let mut list = String::from("&[\n");
    for name in &names {
        let sql = fs::read_to_string(source.join(name)).expect("a migration file");
        let statements: String = script::statements(&sql)
            .iter()
            .map(|statement| format!("{statement};\n"))
            .collect();
        fs::write(out.join(name), statements).expect("write a migration");
        writeln!(
            list,
            "    ({name:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/migrations/{name}\"))),"
        )
        .expect("write to a string");
    }
    list.push(']');
    fs::write(out.join("list.rs"), list).expect("write the list");
}
