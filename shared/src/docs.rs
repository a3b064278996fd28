//! Keeps the generated parts of `docs/` equal to what the code enforces.

use std::path::Path;

/// Asserts that the generated block in a doc file equals `generated`. With `MINYI_BLESS=1`
/// the block is rewritten instead. The block sits between the markers
/// `<!-- generated:begin -->` and `<!-- generated:end -->`.
pub fn assert_current(doc: &str, generated: &str) {
    const BEGIN: &str = "<!-- generated:begin -->\n";
    const END: &str = "<!-- generated:end -->";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(doc);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let (head, rest) = text
        .split_once(BEGIN)
        .unwrap_or_else(|| panic!("{doc}: no begin marker"));
    let (current, tail) = rest
        .split_once(END)
        .unwrap_or_else(|| panic!("{doc}: no end marker"));
    if current == generated {
        return;
    }
    if std::env::var_os("MINYI_BLESS").is_some() {
        std::fs::write(&path, format!("{head}{BEGIN}{generated}{END}{tail}"))
            .unwrap_or_else(|e| panic!("{doc}: {e}"));
        return;
    }
    panic!(
        "{doc} is out of date with the code: run `MINYI_BLESS=1 cargo test -p minyi` and commit it"
    );
}
