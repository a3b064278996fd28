//! Full-text search over cases' titles and bodies: what goes into the index and what a
//! citizen's query becomes.
//!
//! The index is the FTS5 table `case_search` (migration 0002): one row per case, rowid = case
//! id, one column `grams` holding the tokens [`index_text`] makes, tokenized by FTS5's
//! `unicode61` (which splits on spaces, folds case and removes diacritics). Chinese has no
//! spaces and its words are mostly two characters (路灯, 噪音, 停车, 漏水), which FTS5's
//! `trigram` tokenizer cannot find; so the text is cut here into **character bigrams**:
//!
//! - a *run* is a maximal stretch of characters of one kind; spaces, punctuation and symbols
//!   end a run and belong to none;
//! - a run of CJK characters (Han, kana, hangul, bopomofo) gives every overlapping pair of
//!   characters as a token (`路灯不亮` → `路灯 灯不 不亮`); a run of one character gives that
//!   character;
//! - a run of other letters and digits (Latin, Cyrillic, digits…) gives the word, lower-cased;
//! - full-width ASCII (`ＬＥＤ`, `３号`), which Chinese input methods type, counts as ASCII.
//!
//! A query ([`match_expression`]) is cut into runs the same way. A CJK run becomes the FTS5
//! *phrase* of its bigrams: consecutive bigrams at consecutive positions are exactly the
//! substring, so `"路灯 灯不 不亮"` finds 路灯不亮 and nothing else. A word becomes a prefix
//! token (`"wat"*` finds *water*). Runs are ANDed. Every token is double-quoted and holds
//! only letters and digits, so nothing a citizen types is ever read as FTS5 syntax.
//!
//! Imprecision, by design and documented in `docs/search.md`:
//!
//! - a single CJK character inside a longer query (`3号 楼`) becomes a prefix token (`"楼"*`):
//!   it matches where the character starts a bigram or stands alone, not where it only ends a
//!   run (`…大楼。`);
//! - a phrase can match across the end of one run and the start of the next when the runs
//!   share the character at the seam (`路灯，灯不亮` matches 路灯不): rare, and never a miss.
//!
//! Queries are bounded: at least [`MIN_CHARS`] characters of searchable text (one character
//! would match too much) and at most [`MAX_CHARS`] characters as typed, which also bounds the
//! number of runs (and so of `AND`s) to 25. This module is pure: no I/O, no dependencies.

use std::fmt;

/// Fewest searchable characters (letters and digits) a query needs.
pub const MIN_CHARS: usize = 2;
/// Most characters a query may have as typed (spaces and punctuation included).
pub const MAX_CHARS: usize = 50;
/// Most runs (words, CJK stretches) a query may have.
/// Most characters of title and body indexed: the schema's own limits (title ≤ 200,
/// body ≤ 10,000 characters), so nothing a stored case can hold is left out, and the index
/// text stays bounded (under three bytes of output per byte of input).
pub const MAX_INDEXED_CHARS: usize = 10_200;

/// Why a query was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchError {
    /// Fewer than [`MIN_CHARS`] letters or digits.
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    TooLong,
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => write!(
                f,
                "搜索词至少{MIN_CHARS}个字 / search text needs at least {MIN_CHARS} characters"
            ),
            Self::TooLong => write!(
                f,
                "搜索词最多{MAX_CHARS}个字 / search text has at most {MAX_CHARS} characters"
            ),
        }
    }
}

impl std::error::Error for SearchError {}

/// The text stored in `case_search.grams` for a case: the tokens of its title, then of its
/// body, separated by spaces (duplicates kept: phrases need every position).
pub fn index_text(title: &str, body: &str) -> String {
    let mut out = String::with_capacity((title.len() + body.len()) * 3);
    let mut budget = MAX_INDEXED_CHARS;
    for text in [title, body] {
        let text = match text.char_indices().nth(budget) {
            Some((end, _)) => &text[..end],
            None => text,
        };
        budget -= text.chars().count();
        for run in runs(text) {
            for token in run.tokens() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.extend(token);
            }
        }
    }
    out
}

/// The FTS5 `MATCH` expression for what a citizen typed, or why it is refused.
///
/// `路灯不亮 water` → `"路灯 灯不 不亮" AND "water"*`.
pub fn match_expression(query: &str) -> Result<String, SearchError> {
    let query = query.trim();
    if query.chars().count() > MAX_CHARS {
        return Err(SearchError::TooLong);
    }
    let runs: Vec<Run> = runs(query).collect();
    if runs.iter().map(|r| r.chars.len()).sum::<usize>() < MIN_CHARS {
        return Err(SearchError::TooShort);
    }
    let terms: Vec<String> = runs
        .iter()
        .map(|run| {
            let prefix = run.kind == Kind::Word || run.chars.len() == 1;
            let tokens: Vec<String> = run.tokens().map(String::from_iter).collect();
            format!(
                "{}{}",
                quote(&tokens.join(" ")),
                if prefix { "*" } else { "" }
            )
        })
        .collect();
    Ok(terms.join(" AND "))
}

/// An FTS5 string: in double quotes, a double quote doubled. Tokens hold only letters and
/// digits, so there is none to double; the escape is kept so this stays safe on its own.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// CJK characters: cut into bigrams.
    Gram,
    /// Other letters and digits: kept as words.
    Word,
}

/// A maximal stretch of characters of one kind, normalized.
struct Run {
    kind: Kind,
    chars: Vec<char>,
}

impl Run {
    /// The run's tokens: a word whole; CJK as overlapping bigrams (one character alone).
    fn tokens(&self) -> Box<dyn Iterator<Item = &[char]> + '_> {
        match self.kind {
            Kind::Gram if self.chars.len() > 1 => Box::new(self.chars.windows(2)),
            _ => Box::new(std::iter::once(self.chars.as_slice())),
        }
    }
}

/// The runs of `text`, in order.
fn runs(text: &str) -> impl Iterator<Item = Run> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        // Skip separators, then take characters while they are of the first one's kind.
        let (kind, first) = loop {
            if let Some(found) = classify(chars.next()?) {
                break found;
            }
        };
        let mut run = Run {
            kind,
            chars: vec![first],
        };
        while let Some((k, c)) = chars.peek().and_then(|&c| classify(c)) {
            if k != kind {
                break;
            }
            run.chars.push(c);
            chars.next();
        }
        Some(run)
    })
}

/// The kind of a character and its normalized form, or `None` for a separator.
fn classify(c: char) -> Option<(Kind, char)> {
    // Full-width ASCII (U+FF01..U+FF5E) is ASCII typed on a Chinese input method.
    let c = match u32::from(c) {
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if !c.is_alphanumeric() {
        None
    } else if is_cjk(c) {
        Some((Kind::Gram, c))
    } else {
        Some((Kind::Word, c.to_ascii_lowercase()))
    }
}

/// Scripts written without spaces between words: Han (with 々 and 〇), kana, hangul,
/// bopomofo.
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x11FF       // Hangul Jamo
        | 0x3005..=0x3007     // 々 〆 〇
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3100..=0x31BF     // Bopomofo, Hangul compatibility Jamo, Bopomofo extended
        | 0x31F0..=0x31FF     // Katakana phonetic extensions
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xA960..=0xA97F     // Hangul Jamo extended A
        | 0xAC00..=0xD7FF     // Hangul syllables, Jamo extended B
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0xFF66..=0xFFDC     // half-width katakana and hangul
        | 0x20000..=0x3FFFF // CJK extensions B–H, compatibility supplement
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(q: &str) -> String {
        match_expression(q).unwrap_or_else(|e| panic!("{q:?}: {e}"))
    }

    #[test]
    fn chinese_runs_become_overlapping_bigrams() {
        assert_eq!(index_text("路灯不亮", ""), "路灯 灯不 不亮");
        assert_eq!(
            index_text("路灯不亮", "人民路，口。"),
            "路灯 灯不 不亮 人民 民路 口"
        );
        assert_eq!(index_text("", ""), "");
        assert_eq!(index_text("灯", "  ！"), "灯");
    }

    #[test]
    fn words_are_lower_cased_and_split_from_chinese() {
        assert_eq!(
            index_text("LED灯坏了", "Water pipe 3号楼"),
            "led 灯坏 坏了 water pipe 3 号楼"
        );
        // Full-width letters and digits are ASCII; the ideographic space separates.
        assert_eq!(index_text("ＬＥＤ　３号", ""), "led 3 号");
        // Kana and hangul are cut like Han; other letters are words.
        assert_eq!(
            index_text("ひらがな 한국어 Straße", ""),
            "ひら らが がな 한국 국어 straße"
        );
    }

    #[test]
    fn the_index_text_is_bounded() {
        let body = "路".repeat(20_000);
        let text = index_text(&"灯".repeat(300), &body);
        assert_eq!(text.split(' ').count(), MAX_INDEXED_CHARS - 2);
        assert!(text.len() <= MAX_INDEXED_CHARS * 7);
    }

    #[test]
    fn queries_become_phrases_and_prefixes() {
        assert_eq!(expr("路灯"), r#""路灯""#);
        assert_eq!(expr(" 路灯不亮 "), r#""路灯 灯不 不亮""#);
        assert_eq!(expr("Water"), r#""water"*"#);
        assert_eq!(
            expr("路灯不亮，LED 3号 楼"),
            r#""路灯 灯不 不亮" AND "led"* AND "3"* AND "号"* AND "楼"*"#
        );
        assert_eq!(expr("ab"), r#""ab"*"#);
        assert_eq!(expr("路 灯"), r#""路"* AND "灯"*"#);
    }

    #[test]
    fn the_floor_and_the_ceiling_are_enforced() {
        for short in ["", "路", "a", "  ", "路！", "***", "\"\"", "-x"] {
            assert_eq!(
                match_expression(short),
                Err(SearchError::TooShort),
                "{short:?}"
            );
        }
        let ceiling = "路".repeat(MAX_CHARS);
        assert!(match_expression(&ceiling).is_ok());
        assert_eq!(
            match_expression(&format!("{ceiling}灯")),
            Err(SearchError::TooLong)
        );
        // Surrounding spaces do not count.
        assert!(match_expression(&format!("  {ceiling}  ")).is_ok());
        // The most runs the ceiling allows are accepted.
        assert!(match_expression(&vec!["a"; MAX_CHARS.div_ceil(2)].join(" ")).is_ok());
    }

    #[test]
    fn nothing_typed_is_read_as_fts5_syntax() {
        for (typed, expected) in [
            (r#"a" OR "b"#, r#""a"* AND "or"* AND "b"*"#),
            ("NEAR(路灯, 噪音)", r#""near"* AND "路灯" AND "噪音""#),
            ("路灯*", r#""路灯""#),
            ("-x y", r#""x"* AND "y"*"#),
            ("^路灯", r#""路灯""#),
            ("grams:路灯", r#""grams"* AND "路灯""#),
            (
                "{grams} : 路灯 NOT 噪音",
                r#""grams"* AND "路灯" AND "not"* AND "噪音""#,
            ),
            (
                "路灯\"); DROP TABLE case_search; --",
                r#""路灯" AND "drop"* AND "table"* AND "case"* AND "search"*"#,
            ),
        ] {
            let e = expr(typed);
            assert_eq!(e, expected, "{typed:?}");
            // Outside the quotes there is only ` AND ` and `*`.
            let outside: String = e.split('"').step_by(2).collect();
            assert!(
                outside.replace(" AND ", "").chars().all(|c| c == '*'),
                "{typed:?} → {e}"
            );
        }
    }

    /// The limits table in `docs/search.md`.
    fn limits_markdown() -> String {
        let rows = [
            (
                "floor",
                format!("{MIN_CHARS} letters or digits (`search::MIN_CHARS`)"),
                "one character matches too much; 路 alone is refused",
            ),
            (
                "ceiling",
                format!(
                    "{MAX_CHARS} characters as typed, spaces included (`search::MAX_CHARS`; \
                     the page's `maxlength`)"
                ),
                "bounded phrases",
            ),
            (
                "indexed text",
                format!(
                    "{MAX_INDEXED_CHARS} characters of title and body (`search::MAX_INDEXED_CHARS`)"
                ),
                "the schema's limits; bounded index rows",
            ),
        ];
        let mut out = String::from("| rule | value | why |\n| --- | --- | --- |\n");
        for (rule, value, why) in rows {
            out.push_str(&format!("| {rule} | {value} | {why} |\n"));
        }
        out
    }

    #[test]
    fn the_doc_states_the_limits() {
        crate::docs::assert_current("docs/search.md", &limits_markdown());
    }

    #[test]
    fn refusals_read_chinese_first() {
        assert_eq!(
            SearchError::TooShort.to_string(),
            "搜索词至少2个字 / search text needs at least 2 characters"
        );
        assert!(
            SearchError::TooLong
                .to_string()
                .starts_with("搜索词最多50个字 / ")
        );
    }
}
