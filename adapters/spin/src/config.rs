//! Spin's spelling of the configuration variables.
//!
//! The names are the Worker's (`MINYI_SECRET`, `MINYI_ENV`, `TURNSTILE_SITE_KEY`, ...; read by
//! `minyi_web::vars`). Spin variable names are lower case (`[a-z0-9_]`), so each is read under
//! its lower-case spelling: `MINYI_SECRET` ↔ `minyi_secret`, set from outside as
//! `SPIN_VARIABLE_MINYI_SECRET`. Spin fails a lookup of a variable the manifest does not
//! declare, so `spin.toml` declares every name in `minyi_web::vars::VARIABLES`; optional ones
//! default to the empty string, which counts as unset.

/// The Spin variable a Worker-style name is read from (`MINYI_SECRET` → `minyi_secret`).
pub fn spin_name(name: &str) -> String {
    name.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use minyi_web::vars::VARIABLES;

    #[test]
    fn spin_names_are_lower_case_and_valid() {
        assert_eq!(spin_name("MINYI_SECRET"), "minyi_secret");
        for name in VARIABLES {
            let spin = spin_name(name);
            assert!(spin.starts_with(|c: char| c.is_ascii_lowercase()));
            assert!(
                spin.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
        }
    }

    #[test]
    fn the_manifest_declares_every_variable() {
        let manifest = include_str!("../../../spin.toml");
        for name in VARIABLES {
            let line = format!("\n{} = {{", spin_name(name));
            assert!(
                manifest.contains(&line),
                "spin.toml lacks {}",
                spin_name(name)
            );
            // Each component maps it through.
            let components = manifest
                .lines()
                .filter(|l| l.starts_with("[component.") && l.matches('.').count() == 1)
                .count();
            let mapped = format!("\n{0} = \"{{{{ {0} }}}}\"", spin_name(name));
            assert_eq!(manifest.matches(&mapped).count(), components, "{mapped}");
        }
    }
}
