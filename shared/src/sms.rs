//! The SMS keyword grammar: what a citizen's text message asks for.
//!
//! The first word decides, case-insensitively, in full-width or half-width forms, Chinese or
//! Latin: `报名`/`BM` (sign up for a meeting), `确认`/`QR` and `取消`/`QX` (confirm or give up
//! a selected place), `查询`/`CX` (a case's progress), `退订`/`TD` and the carriers' opt-out
//! words, `恢复` and the opt-in words, `帮助`/`HELP`. A Chinese keyword may run straight into
//! its argument (`查询K7QH3XPD9`); a Latin one needs a space. The words without an argument
//! (confirm, cancel, opt out, opt in, help) count only as the whole message: a complaint that
//! begins "stop the noise…" is a complaint, not an opt-out (项目自定 / the project's reading).
//! Anything else is a message: a new case.

/// What a text message asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keyword {
    /// Sign up for the meeting `code` under `name`.
    Register {
        /// The meeting's code, as announced.
        meeting: String,
        /// The name to sign up under (may be empty).
        name: String,
    },
    /// Confirm a selected place.
    Confirm,
    /// Give up a selected place.
    Cancel,
    /// A case's progress, by the tracking number as typed.
    Query(String),
    /// Stop optional messages.
    OptOut,
    /// Receive them again.
    OptIn,
    /// The list of keywords.
    Help,
    /// Anything else: the citizen's message (normalised), a new case.
    Message(String),
}

/// Words that take an argument: (Chinese, Latin).
const REGISTER: (&str, &str) = ("报名", "BM");
const QUERY: (&str, &str) = ("查询", "CX");
/// Whole-message words.
const CONFIRM: &[&str] = &["确认", "QR"];
const CANCEL: &[&str] = &["取消", "QX"];
const OPT_OUT: &[&str] = &[
    "退订",
    "TD",
    "T",
    "R",
    "STOP",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
];
const OPT_IN: &[&str] = &["恢复", "START", "YES", "UNSTOP"];
const HELP: &[&str] = &["帮助", "HELP"];

/// The longest message taken, in characters (longer texts are cut: a case body holds far
/// more, but one SMS of many segments rarely passes this; 项目自定).
pub const MAX_CHARS: usize = 1000;

/// Reads a text message.
pub fn parse(text: &str) -> Keyword {
    let text = normalise(text);
    let whole = text.trim_end_matches(['.', '。', '!', '！']).trim();
    let upper = whole.to_uppercase();
    let is = |words: &[&str]| words.iter().any(|w| upper == *w);
    if is(CONFIRM) {
        return Keyword::Confirm;
    }
    if is(CANCEL) {
        return Keyword::Cancel;
    }
    if is(OPT_OUT) {
        return Keyword::OptOut;
    }
    if is(OPT_IN) {
        return Keyword::OptIn;
    }
    if is(HELP) {
        return Keyword::Help;
    }
    if let Some(rest) = argument(&text, QUERY) {
        return Keyword::Query(rest.to_owned());
    }
    if let Some(rest) = argument(&text, REGISTER) {
        let mut words = rest.splitn(2, ' ');
        let meeting = words.next().unwrap_or("").to_uppercase();
        let name = words.next().unwrap_or("").trim().to_owned();
        if !meeting.is_empty() {
            return Keyword::Register { meeting, name };
        }
    }
    Keyword::Message(text)
}

/// The argument after a keyword of `(chinese, latin)` that opens `text`, if one does and an
/// argument follows.
fn argument<'a>(text: &'a str, (chinese, latin): (&str, &str)) -> Option<&'a str> {
    let rest = match text.strip_prefix(chinese) {
        Some(rest) => rest,
        None => {
            let (first, rest) = text.split_once(' ')?;
            if !first.eq_ignore_ascii_case(latin) {
                return None;
            }
            rest
        }
    };
    let rest = rest.trim_start_matches([' ', ':', '：']).trim();
    (!rest.is_empty()).then_some(rest)
}

/// Full-width forms to half-width (`ＣＸ　１２３` → `CX 123`), runs of white space to one
/// space, control characters out, trimmed, at most [`MAX_CHARS`].
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
        if out.chars().count() >= MAX_CHARS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces citizens' messages are made of: keywords in both scripts and widths, numbers,
    /// spaces of every kind, punctuation and plain words.
    const PIECES: &[&str] = &[
        "CX",
        "cx",
        "ｃｘ",
        "查询",
        "BM",
        "报名",
        "QR",
        "确认",
        "QX",
        "取消",
        "TD",
        "退订",
        "T",
        "R",
        "STOP",
        "stop",
        "ＳＴＯＰ",
        "START",
        "恢复",
        "HELP",
        "帮助",
        "K7Q-H3X-PD9",
        "M12",
        "张三",
        " ",
        "\u{3000}",
        "\t",
        "\n",
        "：",
        ":",
        "。",
        "!",
        "路灯不亮",
        "the",
        "0",
        "\u{7}",
    ];

    proptest! {
        #[test]
        fn any_text_reads_as_one_keyword_and_reading_is_stable(text in "\\PC{0,300}") {
            let read = parse(&text);
            prop_assert_eq!(parse(&normalise(&text)), read.clone());
            if let Keyword::Message(m) = read {
                prop_assert!(m.chars().count() <= MAX_CHARS);
            }
        }

        #[test]
        fn only_a_message_that_is_the_word_alone_opts_out(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 1..8)
        ) {
            let text: String = pieces.concat();
            let alone = normalise(&text)
                .trim_end_matches(['.', '。', '!', '！'])
                .trim()
                .to_uppercase();
            let is_opt_out = OPT_OUT.contains(&alone.as_str());
            prop_assert_eq!(parse(&text) == Keyword::OptOut, is_opt_out, "{:?}", text);
        }
    }

    #[test]
    fn keywords_in_either_script_and_width() {
        assert_eq!(
            parse("CX K7Q-H3X-PD9"),
            Keyword::Query("K7Q-H3X-PD9".into())
        );
        assert_eq!(parse("ｃｘ　k7qh3xpd9"), Keyword::Query("k7qh3xpd9".into()));
        assert_eq!(parse("查询K7QH3XPD9"), Keyword::Query("K7QH3XPD9".into()));
        assert_eq!(
            parse("查询：K7Q H3X PD9"),
            Keyword::Query("K7Q H3X PD9".into())
        );
        assert_eq!(
            parse("bm m12 张三"),
            Keyword::Register {
                meeting: "M12".into(),
                name: "张三".into()
            }
        );
        assert_eq!(
            parse("报名 M12"),
            Keyword::Register {
                meeting: "M12".into(),
                name: String::new()
            }
        );
        for (text, want) in [
            ("确认", Keyword::Confirm),
            ("qr", Keyword::Confirm),
            ("ＱＸ", Keyword::Cancel),
            ("退订", Keyword::OptOut),
            ("td", Keyword::OptOut),
            ("Stop", Keyword::OptOut),
            ("STOP.", Keyword::OptOut),
            ("unsubscribe", Keyword::OptOut),
            ("cancel", Keyword::OptOut),
            ("r", Keyword::OptOut),
            ("恢复", Keyword::OptIn),
            ("start", Keyword::OptIn),
            ("帮助", Keyword::Help),
            ("HELP", Keyword::Help),
        ] {
            assert_eq!(parse(text), want, "{text}");
        }
    }

    #[test]
    fn a_keyword_inside_a_message_is_a_message() {
        for text in [
            "stop the noise on Renmin Road at night",
            "取消这个收费项目吧",
            "CX",
            "查询",
            "BM",
            "CXK7QH3XPD9",
            "人民路路灯不亮",
        ] {
            assert!(matches!(parse(text), Keyword::Message(_)), "{text}");
        }
        assert_eq!(
            parse("  路灯\t\n不亮\u{7}  "),
            Keyword::Message("路灯 不亮".into())
        );
    }
}
