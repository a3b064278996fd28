//! The parts of a Spin manifest (v2) the host acts on: components and their grants, HTTP
//! routes, cron triggers, and variables, resolved and checked the way Spin does at `spin up`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use wasmtime::error::Context;
use wasmtime::{bail, ensure};

/// A loaded, checked manifest.
pub struct Manifest {
    /// Components by id.
    pub components: BTreeMap<String, Component>,
    /// HTTP routes, most specific first (the order they are matched in).
    pub routes: Vec<Route>,
    /// Cron triggers.
    pub crons: Vec<Cron>,
}

/// One component: where its wasm is and what it may use.
pub struct Component {
    /// The component's wasm file.
    pub source: PathBuf,
    /// What it may use.
    pub grants: Grants,
}

/// What a component may use, shared by all its instances.
#[derive(Clone)]
pub struct Grants {
    /// The component id, for logs.
    pub component: String,
    /// SQLite database labels it may open.
    pub sqlite_databases: Vec<String>,
    /// Key-value store labels it may open.
    pub key_value_stores: Vec<String>,
    /// Outbound hosts it may call (`scheme://host[:port]`).
    pub allowed_outbound_hosts: Vec<String>,
    /// Its variables, with the application variables substituted.
    pub variables: BTreeMap<String, String>,
}

/// An HTTP route: an exact path, or a prefix when the manifest route ends in `/...`.
pub struct Route {
    /// The route as written in the manifest.
    pub pattern: String,
    /// The path it matches, without the trailing `/...`.
    pub base: String,
    /// Whether the route matches `base` and everything under it.
    pub wildcard: bool,
    /// The component that serves it.
    pub component: String,
}

/// A cron trigger.
pub struct Cron {
    /// The component to call.
    pub component: String,
    /// The six-field expression (seconds first).
    pub expression: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    spin_manifest_version: u32,
    #[serde(default, rename = "application")]
    _application: IgnoredAny,
    #[serde(default)]
    variables: BTreeMap<String, RawVariable>,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariable {
    default: Option<String>,
    #[serde(default)]
    required: bool,
    /// Spin keeps secret values out of logs; this host never logs variable values.
    #[serde(default, rename = "secret")]
    _secret: bool,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
    #[serde(default)]
    cron: Vec<RawCronTrigger>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttpTrigger {
    route: String,
    component: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCronTrigger {
    component: String,
    cron_expression: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    source: String,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    #[serde(default, rename = "build")]
    _build: IgnoredAny,
}

impl Manifest {
    /// Reads `path`, resolving application variables through `lookup` (Spin's environment
    /// provider: `SPIN_VARIABLE_<NAME>`), and checks it as `spin up` would.
    pub fn load(path: &Path, lookup: impl Fn(&str) -> Option<String>) -> wasmtime::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let raw: RawManifest =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        ensure!(
            raw.spin_manifest_version == 2,
            "only spin_manifest_version = 2 is supported"
        );
        let root = path.parent().unwrap_or(Path::new("."));

        let mut app_values = BTreeMap::new();
        for (name, var) in &raw.variables {
            check_variable_name(name)?;
            let value = match (var.required, &var.default) {
                (true, Some(_)) => bail!("variable {name}: `required` and `default` both set"),
                (true, None) => {
                    lookup(name).with_context(|| format!("required variable {name} is not set"))?
                }
                (false, Some(default)) => lookup(name).unwrap_or_else(|| default.clone()),
                (false, None) => bail!("variable {name}: needs `required` or a `default`"),
            };
            app_values.insert(name.clone(), value);
        }

        let mut components = BTreeMap::new();
        for (id, c) in raw.component {
            let mut variables = BTreeMap::new();
            for (name, template) in &c.variables {
                check_variable_name(name)?;
                let value = expand(template, &app_values)
                    .with_context(|| format!("component {id}, variable {name}"))?;
                variables.insert(name.clone(), value);
            }
            // Spin expands application variables in outbound hosts, as in variables.
            let mut allowed_outbound_hosts = Vec::new();
            for template in &c.allowed_outbound_hosts {
                let host = expand(template, &app_values)
                    .with_context(|| format!("component {id}, outbound host {template}"))?;
                ensure!(
                    host.contains("://"),
                    "component {id}: outbound host {host:?} needs a scheme"
                );
                allowed_outbound_hosts.push(host);
            }
            let component = Component {
                source: root.join(&c.source),
                grants: Grants {
                    component: id.clone(),
                    sqlite_databases: c.sqlite_databases,
                    key_value_stores: c.key_value_stores,
                    allowed_outbound_hosts,
                    variables,
                },
            };
            components.insert(id, component);
        }

        let mut routes = Vec::new();
        for t in raw.trigger.http {
            ensure!(
                components.contains_key(&t.component),
                "route {} names an unknown component {}",
                t.route,
                t.component
            );
            let route = Route::parse(&t.route, t.component)?;
            ensure!(
                !routes
                    .iter()
                    .any(|r: &Route| r.base == route.base && r.wildcard == route.wildcard),
                "route {} is declared twice",
                t.route
            );
            routes.push(route);
        }
        // Exact routes first, then wildcards from the longest prefix down.
        routes.sort_by(|a, b| {
            (a.wildcard, std::cmp::Reverse(a.base.len()))
                .cmp(&(b.wildcard, std::cmp::Reverse(b.base.len())))
        });

        let mut crons = Vec::new();
        for t in raw.trigger.cron {
            ensure!(
                components.contains_key(&t.component),
                "cron trigger names an unknown component {}",
                t.component
            );
            crons.push(Cron {
                component: t.component,
                expression: t.cron_expression,
            });
        }
        Ok(Self {
            components,
            routes,
            crons,
        })
    }

    /// The route that serves `path`, if any.
    pub fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.matches(path))
    }
}

impl Route {
    fn parse(pattern: &str, component: String) -> wasmtime::Result<Self> {
        ensure!(
            pattern.starts_with('/'),
            "route {pattern:?} must start with /"
        );
        let (base, wildcard) = match pattern.strip_suffix("/...") {
            Some(base) => (base.to_owned(), true),
            None => (pattern.trim_end_matches('/').to_owned(), false),
        };
        Ok(Self {
            pattern: pattern.to_owned(),
            base,
            wildcard,
            component,
        })
    }

    /// Whether this route serves `path` (Spin ignores a trailing slash on exact routes).
    pub fn matches(&self, path: &str) -> bool {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if self.wildcard {
            path == self.base
                || path
                    .strip_prefix(&self.base)
                    .is_some_and(|rest| rest.starts_with('/'))
                || self.base.is_empty()
        } else {
            path == self.base || (self.base.is_empty() && path == "/")
        }
    }

    /// The part of `path` after the route's base (Spin's `spin-path-info`).
    pub fn path_info<'a>(&self, path: &'a str) -> &'a str {
        if self.wildcard {
            path.get(self.base.len()..).unwrap_or("")
        } else {
            ""
        }
    }
}

/// Spin's rule for variable names (`spin_expressions::Key`): lower-case ASCII letters, digits
/// and single underscores, starting with a letter and ending with a letter or digit.
pub fn check_variable_name(name: &str) -> wasmtime::Result<()> {
    let bytes = name.as_bytes();
    ensure!(
        bytes.first().is_some_and(u8::is_ascii_lowercase)
            && bytes
                .last()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
            && !name.contains("__"),
        "invalid variable name {name:?}: lower-case letters, digits and single underscores, \
         starting with a letter and ending with a letter or digit"
    );
    Ok(())
}

/// Substitutes `{{ name }}` references to application variables.
fn expand(template: &str, values: &BTreeMap<String, String>) -> wasmtime::Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").context("unclosed {{ in template")?;
        let name = after[..end].trim();
        let value = values
            .get(name)
            .with_context(|| format!("{{{{ {name} }}}} is not an application variable"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(p: &str) -> Route {
        Route::parse(p, "c".into()).expect("route")
    }

    #[test]
    fn routes_match_like_spin() {
        assert!(route("/submit").matches("/submit"));
        assert!(route("/submit").matches("/submit/"));
        assert!(!route("/submit").matches("/submit/x"));
        assert!(!route("/submit").matches("/submitted"));
        assert!(route("/api/...").matches("/api"));
        assert!(route("/api/...").matches("/api/v1/cases"));
        assert!(!route("/api/...").matches("/apis"));
        assert!(route("/...").matches("/"));
        assert!(route("/...").matches("/cases/x"));
        assert_eq!(route("/api/...").path_info("/api/v1/cases"), "/v1/cases");
    }

    #[test]
    fn templates_expand_and_unknown_names_fail() {
        let values = BTreeMap::from([("a".to_owned(), "1".to_owned())]);
        assert_eq!(expand("x{{ a }}y{{a}}", &values).expect("expand"), "x1y1");
        assert!(expand("{{ b }}", &values).is_err());
        for good in ["a", "abc", "a1b2c3", "a_1", "minyi_secret"] {
            assert!(check_variable_name(good).is_ok(), "{good}");
        }
        for bad in ["", "aX", "1bc", "_x", "x.y", "x_", "a__b", "x-y", "MINYI"] {
            assert!(check_variable_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_projects_manifest_loads_and_routes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spin.toml");
        let m = Manifest::load(&path, |_| None).expect("spin.toml loads");
        let serve = |p: &str| m.route(p).map(|r| r.component.as_str());
        assert_eq!(serve("/submit"), Some("submit"));
        assert_eq!(serve("/api/v1/cases"), Some("submit"));
        assert_eq!(serve("/open311/v2/services.json"), Some("submit"));
        assert_eq!(serve("/cases"), Some("lookup"));
        assert_eq!(serve("/"), Some("lookup"));
        assert_eq!(m.crons.len(), 1);
        assert_eq!(
            m.components["submit"].grants.variables["minyi_secret"], "",
            "unset variables take their default"
        );
    }
}
