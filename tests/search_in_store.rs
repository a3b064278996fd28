//! Public search against the native SQLite adapter: cases registered through the use case,
//! found through `public::list`, with the FTS5 bigram index of migration 0002
//! (`shared/src/search.rs`, `docs/search.md`).
//!
//! `measure_bigram_and_trigram` (ignored) prints the figures `docs/search.md` quotes:
//! `cargo test -p minyi-tests --release --test search_in_store -- --ignored --nocapture`.

use std::cell::RefCell;
use std::time::Instant;

use jiff::civil::Date;
use minyi::app::AppError;
use minyi::app::cases::{self, Contact, Location, NewCase, Rules};
use minyi::app::public::{self, Cursor, Filter, Page};
use minyi::calendar::{BEIJING, Calendar, Timestamp};
use minyi::case::{Actor, Category, Channel, Complexity, Facts, Role, Urgency};
use minyi::ids::TrackingNumber;
use minyi::policy::Policy;
use minyi::search;
use minyi::store::{Row, Statement, Store, StoreError};
use minyi_sqlite::SqliteStore;
use minyi_tests::TestHost;
use pollster::block_on;

const SECRET: &[u8] = b"test secret";

struct Fixture {
    store: SqliteStore,
    host: TestHost,
    calendar: Calendar,
    policy: Policy,
    start: Timestamp,
    registered: RefCell<i64>,
}

impl Fixture {
    fn new() -> Self {
        let store = SqliteStore::open_in_memory().expect("open");
        store.migrate().expect("migrate");
        let start = BEIJING
            .to_timestamp(Date::constant(2026, 9, 29).at(10, 0, 0, 0))
            .expect("local time");
        Self {
            store,
            host: TestHost::at(start),
            calendar: Calendar::builtin(),
            policy: Policy::default(),
            start,
            registered: RefCell::new(0),
        }
    }

    /// Registers a case one minute after the previous one (so lists have a known order) and
    /// returns its id. Writes the case's search row if the registration batch did not.
    fn case(&self, title: &str, body: &str, consent: bool, category: Category) -> i64 {
        let n = {
            let mut n = self.registered.borrow_mut();
            *n += 1;
            *n
        };
        self.host.set(
            self.start
                .checked_add(jiff::SignedDuration::from_mins(n))
                .expect("instant"),
        );
        let input = NewCase {
            facts: Facts {
                channel: Channel::Web,
                category,
                urgency: Urgency::Normal,
                complexity: Complexity::Ordinary,
                publish_consent: consent,
            },
            title: title.into(),
            body: body.into(),
            contact: Contact::default(),
            location: Location::default(),
            idempotency: None,
            intake: Default::default(),
        };
        let rules = Rules {
            calendar: &self.calendar,
            policy: &self.policy,
            rulebook: 0,
            secret: SECRET,
        };
        let id = block_on(cases::register(
            &self.store,
            &self.host,
            rules,
            input,
            Actor::anonymous(Role::Citizen),
            None,
        ))
        .expect("register")
        .id;
        let indexed: i64 = block_on(self.store.query(
            Statement::new("SELECT count(*) AS n FROM case_search WHERE rowid = ?").bind(id),
        ))
        .expect("indexed?")[0]
            .get("n")
            .expect("n");
        if indexed == 0 {
            block_on(
                self.store.execute(
                    Statement::new("INSERT INTO case_search (rowid, grams) VALUES (?, ?)")
                        .bind(id)
                        .bind(search::index_text(title, body)),
                ),
            )
            .expect("index");
        }
        id
    }

    fn public(&self, title: &str, body: &str) -> i64 {
        self.case(title, body, true, Category::Complaint)
    }

    fn search(&self, q: &str) -> Result<Page, AppError> {
        let filter = Filter {
            search: Some(q.into()),
            ..Filter::default()
        };
        block_on(public::list(&self.store, &filter, None, public::MAX_PAGE))
    }

    /// The titles a search finds, newest first.
    fn titles(&self, q: &str) -> Vec<String> {
        self.search(q)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"))
            .cases
            .into_iter()
            .map(|c| c.title)
            .collect()
    }
}

#[test]
fn two_character_chinese_terms_are_found() {
    let f = Fixture::new();
    f.public("路灯不亮", "人民路与解放路交叉口路灯已坏一周。");
    f.public("夜间施工", "工地噪音很大，影响休息。");
    f.public("停车难", "小区停车位不够。");
    f.public("楼上漏水", "卫生间漏水到楼下。");
    for (q, title) in [
        ("路灯", "路灯不亮"),
        ("噪音", "夜间施工"),
        ("停车", "停车难"),
        ("漏水", "楼上漏水"),
        ("休息", "夜间施工"),
    ] {
        assert_eq!(f.titles(q), [title], "{q}");
    }
    assert!(f.titles("供暖").is_empty());
}

#[test]
fn longer_substrings_are_found_and_only_as_substrings() {
    let f = Fixture::new();
    f.public("路灯不亮", "人民路与解放路交叉口路灯已坏一周。");
    f.public("路灯", "灯已修好，不亮的是另一盏。");
    assert_eq!(f.titles("路灯不亮"), ["路灯不亮"]);
    assert_eq!(f.titles("解放路交叉口"), ["路灯不亮"]);
    assert_eq!(f.titles(" 交叉口路灯已坏一周 "), ["路灯不亮"]);
    assert_eq!(f.titles("人民路"), ["路灯不亮"]);
    // Every bigram of 路灯已坏两周 but 两周 is in the first case: the phrase must not match.
    assert!(f.titles("路灯已坏两周").is_empty());
    // Bigrams present in the second case, but not next to each other.
    assert!(f.titles("灯已修不亮").is_empty());
    // Two runs are ANDed, each anywhere.
    assert_eq!(f.titles("不亮 修好"), ["路灯"]);
    assert_eq!(f.titles("不亮"), ["路灯", "路灯不亮"]);
}

#[test]
fn a_term_across_punctuation_is_not_found() {
    let f = Fixture::new();
    f.public("道路维修", "这条路，灯也不亮。修路的车停了一周");
    assert!(f.titles("路灯").is_empty(), "路，灯 is not 路灯");
    assert!(f.titles("修这").is_empty(), "across title and body");
    assert_eq!(f.titles("修路"), ["道路维修"]);
    assert_eq!(f.titles("灯也不亮"), ["道路维修"]);
}

#[test]
fn ascii_words_are_case_insensitive_prefixes() {
    let f = Fixture::new();
    f.public(
        "LED路灯坏了",
        "Water pipe broken near Building 3, call 12345.",
    );
    for q in [
        "led",
        "LED",
        "ＬＥＤ",
        "water",
        "WAT",
        "Pipe broken",
        "12345",
        "building 3",
    ] {
        assert_eq!(f.titles(q), ["LED路灯坏了"], "{q}");
    }
    for q in ["pipes", "ater", "2345", "led water gas"] {
        assert!(f.titles(q).is_empty(), "{q}");
    }
    // Mixed: a word and a Chinese run.
    assert_eq!(f.titles("LED路灯"), ["LED路灯坏了"]);
}

#[test]
fn private_and_discipline_cases_never_come_back() {
    let f = Fixture::new();
    f.case("路灯不亮", "公开的留言", true, Category::Complaint);
    f.case("路灯不亮", "不公开的留言", false, Category::Complaint);
    f.case("路灯不亮", "党风廉政的留言", true, Category::Discipline);
    f.case(
        "路灯不亮",
        "不公开的党风廉政留言",
        false,
        Category::Discipline,
    );
    let page = f.search("路灯").expect("search");
    let bodies: Vec<&str> = page.cases.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, ["公开的留言"]);
    for q in ["不公开", "党风廉政", "留言"] {
        for case in f.search(q).expect("search").cases {
            assert!(case.public, "{q}: {}", case.body);
            assert_eq!(case.body, "公开的留言", "{q}");
        }
    }
}

#[test]
fn search_results_page_by_cursor() {
    let f = Fixture::new();
    for i in 0..23 {
        f.public(&format!("路灯{i:02}"), "路灯不亮");
        if i % 4 == 0 {
            f.public(&format!("噪音{i:02}"), "噪音扰民");
        }
    }
    let filter = Filter {
        search: Some("路灯不亮".into()),
        ..Filter::default()
    };
    let mut seen = Vec::new();
    let mut after: Option<Cursor> = None;
    let mut pages = 0;
    loop {
        let page = block_on(public::list(&f.store, &filter, after, 10)).expect("page");
        pages += 1;
        seen.extend(page.cases.iter().map(|c| c.title.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let titles: Vec<String> = (0..23).rev().map(|i| format!("路灯{i:02}")).collect();
    assert_eq!(seen, titles, "newest first, each once");
}

#[test]
fn injection_attempts_are_harmless() {
    let f = Fixture::new();
    f.public("路灯不亮", "人民路路灯坏了");
    f.public("噪音扰民", "夜间噪音");
    for q in [
        r#"a" OR "b"#,
        r#"路灯" OR "噪音"#,
        "路灯 OR 噪音",
        "NEAR(路灯 噪音)",
        "NEAR(",
        "*",
        "路灯*",
        "-x",
        "-噪音 路灯",
        "^路灯",
        "grams:噪音",
        "{grams}: 噪音",
        "路灯' OR 1=1 --",
        "路灯\"; DROP TABLE case_search; --",
        "\u{0}路灯",
        "路灯\\",
        "%路灯%",
        "路_灯",
    ] {
        match f.search(q) {
            Ok(page) => {
                // Every run of the query is in every case found: nothing widened the search.
                for case in &page.cases {
                    let text = format!("{} {}", case.title, case.body).to_lowercase();
                    assert!(
                        !(text.contains("路灯") && text.contains("噪音")),
                        "{q:?} matched both kinds: {text}"
                    );
                }
                assert!(page.cases.len() <= 1, "{q:?}: {}", page.cases.len());
            }
            Err(AppError::Invalid { field: "q", .. }) => {}
            Err(e) => panic!("{q:?}: {e}"),
        }
    }
    assert_eq!(f.titles("路灯*"), ["路灯不亮"]);
    assert_eq!(f.titles("^路灯"), ["路灯不亮"]);
    assert!(f.titles(r#"路灯" OR "噪音"#).is_empty());
    assert_eq!(
        f.titles("路_灯"),
        ["路灯不亮"],
        "a lone 路 and 灯, both prefixes"
    );
    // The index is intact.
    assert_eq!(f.titles("噪音"), ["噪音扰民"]);
}

#[test]
fn queries_below_the_floor_or_above_the_ceiling_are_refused() {
    let f = Fixture::new();
    f.public("路灯不亮", "人民路路灯坏了");
    let too_long = "路".repeat(search::MAX_CHARS + 1);
    for q in ["路", "a", "路。", "***", too_long.as_str()] {
        match f.search(q) {
            Err(AppError::Invalid {
                field: "q",
                problem,
            }) => {
                assert!(problem.contains(" / "), "{problem}");
            }
            other => panic!("{q:?}: {other:?}"),
        }
    }
    // Blank is no search at all.
    assert_eq!(f.titles("   "), ["路灯不亮"]);
}

#[test]
fn a_case_whose_text_changes_leaves_the_index() {
    let f = Fixture::new();
    let id = f.public("路灯不亮", "人民路路灯坏了");
    block_on(
        f.store
            .execute(Statement::new("UPDATE \"case\" SET body = '已修好' WHERE id = ?").bind(id)),
    )
    .expect("update");
    assert!(f.titles("人民路").is_empty());
    assert!(
        f.titles("路灯").is_empty(),
        "the whole row goes, until re-indexed"
    );
}

/// A store that remembers the statements it ran.
struct Recording<'a> {
    inner: &'a SqliteStore,
    queries: RefCell<Vec<Statement>>,
}

impl Store for Recording<'_> {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, StoreError> {
        self.queries.borrow_mut().push(statement.clone());
        self.inner.query(statement).await
    }

    async fn execute(&self, statement: Statement) -> Result<u64, StoreError> {
        self.inner.execute(statement).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError> {
        self.inner.batch(statements).await
    }
}

/// The query plan of a statement, one line per step.
fn plan(store: &SqliteStore, statement: &Statement) -> Vec<String> {
    let explain = Statement {
        sql: format!("EXPLAIN QUERY PLAN {}", statement.sql).into(),
        params: statement.params.clone(),
    };
    block_on(store.query(explain))
        .expect("explain")
        .iter()
        .map(|r| r.get::<String>("detail").expect("detail"))
        .collect()
}

/// Whether a plan starts from the FTS index and never scans the case table.
fn starts_from_the_index(plan: &[String]) -> bool {
    plan.first()
        .is_some_and(|first| first.contains("VIRTUAL TABLE INDEX"))
        && !plan.iter().any(|d| {
            d.starts_with("SCAN c")
                || d.starts_with("SCAN \"case\"")
                || d.starts_with("SCAN case ")
                || d == "SCAN case"
        })
}

#[test]
fn the_search_query_starts_from_the_index() {
    let f = Fixture::new();
    for i in 0..5 {
        f.public(&format!("路灯{i}"), "人民路路灯坏了");
    }
    let filters = [
        Filter {
            search: Some("路灯不亮".into()),
            ..Filter::default()
        },
        // Every other filter too: the join order must hold whatever the planner would prefer.
        Filter {
            replied_only: true,
            department: Some(7),
            category: Some(Category::Complaint),
            statuses: vec![minyi::case::Status::Replied],
            received_from: Some(f.start),
            received_before: Some(f.start),
            search: Some("路灯 led".into()),
            ..Filter::default()
        },
    ];
    let cursor = Some(Cursor {
        received_at: 1,
        id: 1,
    });
    for (filter, after) in filters.iter().flat_map(|fl| [(fl, None), (fl, cursor)]) {
        let recording = Recording {
            inner: &f.store,
            queries: RefCell::new(Vec::new()),
        };
        block_on(public::list(&recording, filter, after, 20)).expect("list");
        let statement = recording.queries.borrow()[0].clone();
        let steps = plan(&f.store, &statement);
        println!("{}\n  {}\n", statement.sql, steps.join("\n  "));
        assert!(
            starts_from_the_index(&steps),
            "the search must start from case_search: {steps:?}"
        );
    }
    // The check can fail: the LIKE scan this replaced does not start from the index.
    let like = Statement::new(
        "SELECT c.id FROM \"case\" c LEFT JOIN department d ON d.id = c.lead_department_id \
         WHERE c.publish_consent = 1 AND c.category <> 'discipline' \
         AND (c.title LIKE ? ESCAPE '\\' OR c.body LIKE ? ESCAPE '\\') \
         ORDER BY c.received_at DESC, c.id DESC LIMIT ?",
    )
    .bind("%路灯%")
    .bind("%路灯%")
    .bind(21_i64);
    let steps = plan(&f.store, &like);
    println!("old LIKE query:\n  {}", steps.join("\n  "));
    assert!(!starts_from_the_index(&steps), "{steps:?}");
}

// ---- Measurement (ignored: prints figures, asserts nothing about time) ----

/// A deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`, uniformly.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A word of a space-separated list, the first ones far more often than the last
    /// (roughly Zipf).
    fn skewed<'a>(&mut self, words: &'a str) -> &'a str {
        let words: Vec<&str> = words.split(' ').collect();
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        words[((u * u * u) * words.len() as f64) as usize]
    }

    /// A word of a space-separated list, uniformly.
    fn uniform<'a>(&mut self, words: &'a str) -> &'a str {
        let words: Vec<&str> = words.split(' ').collect();
        words[self.below(words.len())]
    }
}

const PLACES: &str = "人民路 解放路 建设路 中山路 和平小区 阳光花园 幸福里 东风街道 城南新区 \
    滨江大道 3号楼 12栋 世纪广场 第二中学 农贸市场 高新区 火车站 长江路 \
    新华街 锦绣家园 北京路 黄河路 南湖公园 翠苑小区 工业园 体育馆 人民医院 \
    汽车站 金色家园 文化路 青年路 望江路 丽景花园 东湖社区 西山村 开发区";
const SUBJECTS: &str = "物业 噪音 停车 垃圾 路灯 漏水 施工扰民 电梯 供暖 停水 占道经营 油烟 \
    违建 井盖 积水 绿化带 公交站台 下水道 物业费 学校门口 共享单车 广场舞 \
    装修 停电 暖气片 外卖电动车 充电桩 化粪池 防盗门 消防通道 健身器材 \
    快递柜 燃气管道 二次供水 电动车充电 房屋漏雨";
const PREDICATES: &str = "不亮 坏了 很严重 堵塞 无人管理 多次反映 一直没有解决 影响居民休息 \
    存在安全隐患 希望有关部门尽快处理 请求协调解决 已经一个多月 老人孩子出行不便 \
    物业不作为 随意停放 收费不合理 没有人管 拖了很久";
const FILLERS: &str = "我们 小区 附近 的 了 在 和 但是 因为 所以 还 都 很 非常 现在 之前 \
    这个 问题 居民 情况 希望 领导 谢谢 麻烦";
/// Common characters, for the text between the words that matter.
const COMMON: &str = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自\
    着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本\
    见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明社部问走给直找全新\
    车水电话楼门口路边房间钱票单位工作上班下午晚上早期号码家里孩子老人住户业主反映处理解决请求帮助";

/// A title and a body of about 100–400 characters, about one topic, with common characters
/// between the words.
fn synthetic(rng: &mut Rng) -> (String, String) {
    let common: Vec<char> = COMMON.chars().collect();
    let topic = rng.skewed(SUBJECTS);
    let title = format!("{}{topic}{}", rng.uniform(PLACES), rng.skewed(PREDICATES));
    let mut body = String::new();
    for _ in 0..(5 + rng.below(16)) {
        for _ in 0..(2 + rng.below(4)) {
            match rng.below(20) {
                0..=6 => {
                    for _ in 0..(2 + rng.below(4)) {
                        body.push(common[rng.below(common.len())]);
                    }
                }
                7..=11 => body.push_str(rng.skewed(FILLERS)),
                12..=14 => body.push_str(topic),
                15..=16 => body.push_str(rng.skewed(PREDICATES)),
                17 => body.push_str(rng.skewed(SUBJECTS)),
                _ => body.push_str(rng.uniform(PLACES)),
            }
        }
        body.push_str(["，", "，", "。", "！", "；", "、"][rng.below(6)]);
    }
    (title, body)
}

fn count(store: &SqliteStore, sql: &str, param: &str) -> i64 {
    block_on(store.query(Statement::new(sql.to_owned()).bind(param)))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))[0]
        .get("n")
        .expect("n")
}

fn size(store: &SqliteStore, pattern: &str) -> i64 {
    block_on(
        store.query(
            Statement::new("SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat WHERE name GLOB ?")
                .bind(pattern),
        ),
    )
    .expect("dbstat")[0]
        .get("n")
        .expect("n")
}

/// Mean time of `runs` runs of `f`, in microseconds.
fn micros(runs: u32, mut f: impl FnMut()) -> u128 {
    f(); // warm
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    (start.elapsed() / runs).as_micros()
}

#[test]
#[ignore = "prints figures for docs/search.md; run with --release --ignored --nocapture"]
fn measure_bigram_and_trigram() {
    let cases: u64 = std::env::var("MINYI_SEARCH_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let store = SqliteStore::open_in_memory().expect("open");
    store.migrate().expect("migrate");
    block_on(store.execute(Statement::new(
        "CREATE VIRTUAL TABLE case_trigram USING fts5 (text, content = '', \
         contentless_delete = 1, tokenize = 'trigram')",
    )))
    .expect("trigram table");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut texts = Vec::new();
    let mut chars = 0;
    let received = 1_780_000_000_000_i64;
    for chunk in 0..cases.div_ceil(1000) {
        let mut batch = Vec::new();
        for i in chunk * 1000..((chunk + 1) * 1000).min(cases) {
            let (title, body) = synthetic(&mut rng);
            chars += title.chars().count() + body.chars().count();
            // A bijection on 40 bits: distinct tracking numbers, ids in no particular order.
            let bits = (i + 1).wrapping_mul(0x009E_3779_B97F) & 0xFF_FFFF_FFFF;
            let b = bits.to_be_bytes();
            let tracking = TrackingNumber::generate([b[3], b[4], b[5], b[6], b[7]]);
            let id = tracking.number();
            let at = received + i as i64 * 60_000;
            let consent = !rng.next().is_multiple_of(5);
            batch.push(
                Statement::new(
                    "INSERT INTO \"case\" (id, tracking_no, channel, category, urgency, complexity, \
                     title, body, publish_consent, status, version, received_at, updated_at) \
                     VALUES (?, ?, 'web', 'complaint', 'normal', 'ordinary', ?, ?, ?, 'registered', 1, ?, ?)",
                )
                .bind(id)
                .bind(tracking.as_str())
                .bind(title.as_str())
                .bind(body.as_str())
                .bind(consent)
                .bind(at)
                .bind(at),
            );
            batch.push(
                Statement::new("INSERT INTO case_search (rowid, grams) VALUES (?, ?)")
                    .bind(id)
                    .bind(search::index_text(&title, &body)),
            );
            batch.push(
                Statement::new("INSERT INTO case_trigram (rowid, text) VALUES (?, ?)")
                    .bind(id)
                    .bind(format!("{title}\n{body}")),
            );
            texts.push((title, body));
        }
        block_on(store.batch(batch)).expect("insert");
    }
    block_on(store.execute(Statement::new(
        "INSERT INTO case_search (case_search) VALUES ('optimize')",
    )))
    .expect("optimize");
    block_on(store.execute(Statement::new(
        "INSERT INTO case_trigram (case_trigram) VALUES ('optimize')",
    )))
    .expect("optimize");
    println!(
        "{cases} cases, {:.0} characters of title and body on average",
        chars as f64 / cases as f64
    );
    println!(
        "sizes (dbstat, after 'optimize'): case table {} KiB, bigram index {} KiB, trigram index {} KiB",
        size(&store, "case") / 1024,
        size(&store, "case_search_*") / 1024,
        size(&store, "case_trigram_*") / 1024,
    );

    let terms = [
        "小区",
        "物业",
        "路灯",
        "漏水",
        "暖气片",
        "充电桩",
        "核电站",
        "人民路",
        "占道经营",
        "影响居民休息",
        "路灯不亮",
        "暖气片漏水",
    ];
    println!("\nterm | cases containing it | bigram finds | trigram finds");
    for term in terms {
        let truth = texts
            .iter()
            .filter(|(t, b)| t.contains(term) || b.contains(term))
            .count();
        let expression = search::match_expression(term).expect("query");
        let bigram = count(
            &store,
            "SELECT count(*) AS n FROM case_search WHERE case_search MATCH ?",
            &expression,
        );
        // Of the bigram matches, those whose text really contains the term.
        let right = block_on(
            store.query(
                Statement::new(
                    "SELECT count(*) AS n FROM case_search s CROSS JOIN \"case\" c \
                     ON c.id = s.rowid WHERE s.grams MATCH ? \
                     AND (instr(c.title, ?) > 0 OR instr(c.body, ?) > 0)",
                )
                .bind(expression.as_str())
                .bind(term)
                .bind(term),
            ),
        )
        .expect("right")[0]
            .get::<i64>("n")
            .expect("n");
        let trigram = count(
            &store,
            "SELECT count(*) AS n FROM case_trigram WHERE case_trigram MATCH ?",
            &format!("\"{term}\""),
        );
        println!("{term} | {truth} | {bigram} ({right} right) | {trigram}");
    }

    // The same page (21 rows, newest first, public only) three ways, plus `list` itself
    // (which also decodes the rows and reads their replies).
    let columns = "c.id, c.tracking_no, c.title, c.body, c.received_at, d.name_zh";
    let public = "c.publish_consent = 1 AND c.category <> 'discipline'";
    let like_sql = format!(
        "SELECT {columns} FROM \"case\" c LEFT JOIN department d ON d.id = c.lead_department_id \
         WHERE {public} AND (c.title LIKE ? ESCAPE '\\' OR c.body LIKE ? ESCAPE '\\') \
         ORDER BY c.received_at DESC, c.id DESC LIMIT 21"
    );
    let fts_sql = |table: &str, column: &str| {
        format!(
            "SELECT {columns} FROM {table} s CROSS JOIN \"case\" c ON c.id = s.rowid \
             LEFT JOIN department d ON d.id = c.lead_department_id \
             WHERE s.{column} MATCH ? AND {public} \
             ORDER BY c.received_at DESC, c.id DESC LIMIT 21"
        )
    };
    let (bigram_sql, trigram_sql) = (
        fts_sql("case_search", "grams"),
        fts_sql("case_trigram", "text"),
    );
    println!(
        "\nterm | old LIKE scan | bigram join | trigram join | list() with search (µs, mean of 20)"
    );
    for term in terms {
        let pattern = format!("%{term}%");
        let like = micros(20, || {
            block_on(
                store.query(
                    Statement::new(like_sql.clone())
                        .bind(pattern.as_str())
                        .bind(pattern.as_str()),
                ),
            )
            .expect("like");
        });
        let expression = search::match_expression(term).expect("query");
        let bigram = micros(20, || {
            block_on(store.query(Statement::new(bigram_sql.clone()).bind(expression.as_str())))
                .expect("bigram");
        });
        let trigram = micros(20, || {
            block_on(store.query(Statement::new(trigram_sql.clone()).bind(format!("\"{term}\""))))
                .expect("trigram");
        });
        let filter = Filter {
            search: Some(term.into()),
            ..Filter::default()
        };
        let list = micros(20, || {
            block_on(public::list(&store, &filter, None, 20)).expect("list");
        });
        println!("{term} | {like} | {bigram} | {trigram} | {list}");
    }
    let unfiltered = micros(20, || {
        block_on(public::list(&store, &Filter::default(), None, 20)).expect("list");
    });
    println!("(no search: list() {unfiltered} µs)");
}
