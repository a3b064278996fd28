//! The reader's language: Simplified Chinese first, English second.

use crate::Request;

/// A language of the user-facing text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The reader's choice: `?lang=` first; on the staff desk then the `lang` cookie; else
    /// Chinese. Public pages take the language from the URL alone (every link carries it): a
    /// shared cache keys them by URL, and one key must never hold two languages
    /// (docs/cache.md).
    pub fn of(req: &Request) -> Self {
        if let Some(l) = req.query_param("lang") {
            return Self::from_code(&l);
        }
        if !sticks(req) {
            return Lang::Zh;
        }
        req.header("cookie")
            .into_iter()
            .flat_map(|c| c.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == "lang")
            .map_or(Lang::Zh, |(_, v)| Self::from_code(v))
    }

    fn from_code(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The BCP 47 tag (`zh-CN`, `en`).
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The short code used in URLs and the cookie (`zh`, `en`).
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other language (for the switch link).
    pub const fn other(self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Picks the text of this language.
    pub const fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Whether the language choice sticks in a cookie: on the staff desk (never cached), not on
/// the public pages.
pub(crate) fn sticks(req: &Request) -> bool {
    req.path == "/desk" || req.path.starts_with("/desk/")
}

/// One entry of the message table: the same text in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// Simplified Chinese.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

impl Text {
    /// The text in `lang`.
    pub const fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    #[test]
    fn the_url_decides_and_chinese_is_the_default() {
        let plain = Request::from_target(Method::Get, "/");
        assert_eq!(Lang::of(&plain), Lang::Zh);
        let english = Request::from_target(Method::Get, "/?lang=en");
        assert_eq!(Lang::of(&english), Lang::En);
        // On public pages a cookie would split one cached URL into two languages: not read.
        let cookie = plain.clone().with_header("Cookie", "a=b; lang=en");
        assert_eq!(Lang::of(&cookie), Lang::Zh);
        // On the desk (never cached) it keeps the choice, and the query beats it.
        let desk = Request::from_target(Method::Get, "/desk/").with_header("cookie", "lang=en");
        assert_eq!(Lang::of(&desk), Lang::En);
        let both =
            Request::from_target(Method::Get, "/desk/?lang=zh").with_header("cookie", "lang=en");
        assert_eq!(Lang::of(&both), Lang::Zh);
    }
}
