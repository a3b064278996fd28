//! The message table of the public pages: every user-facing string, Chinese and English side
//! by side. Pages pick an entry with [`Text::get`]; nothing user-facing is written inline.

use crate::{Lang, Text};

const fn t(zh: &'static str, en: &'static str) -> Text {
    Text { zh, en }
}

// --- Start page -----------------------------------------------------------------------------

/// Start page heading.
pub const HOME_TITLE: Text = t("民意 · 政民互动平台", "Minyi · Citizen Messages");
/// What the platform is.
pub const HOME_WELCOME: Text = t(
    "在这里，您可以向市政府及其部门反映问题、提出建议或咨询。每件留言都会登记受理编号，交办到负责的单位，并在规定的工作日内答复；经您同意公开的留言及其答复会在本站公布。",
    "Here you can write to the city government and its departments: report a problem, make a suggestion or ask a question. Every message gets a tracking number, is passed to the department responsible and is answered within a set number of working days; messages you allow to be published are shown here with their replies.",
);
/// The big submit link.
pub const HOME_SUBMIT: Text = t("我要留言", "Submit a message");
/// Tracking box heading.
pub const HOME_TRACK: Text = t("查询办理进度", "Track your message");
/// Search box heading.
pub const HOME_SEARCH: Text = t("搜索已答复留言", "Search answered messages");
/// Latest answered cases heading.
pub const HOME_LATEST: Text = t("最新答复", "Latest replies");
/// Link to all answered cases.
pub const HOME_ALL: Text = t("查看全部已答复留言", "All answered messages");

// --- Submission form ------------------------------------------------------------------------

/// Form page title.
pub const FORM_TITLE: Text = t("我要留言", "Submit a message");
/// Introduction above the form.
pub const FORM_INTRO: Text = t(
    "请如实填写。带 * 的为必填项。提交后您将获得受理编号，可凭它查询办理进度。",
    "Please write truthfully. Fields marked * are required. After you submit you get a tracking number to follow your message.",
);
/// Summary above the form when it has errors.
pub const FORM_HAS_ERRORS: Text = t(
    "留言尚未提交，请修改下列标出的内容后再提交。您填写的内容都已保留。",
    "Your message was not sent yet. Please correct the fields marked below; everything you typed has been kept.",
);
/// Category label.
pub const FIELD_CATEGORY: Text = t("诉求类别 *", "Category *");
/// Category placeholder option.
pub const CHOOSE: Text = t("请选择", "Please choose");
/// Title label.
pub const FIELD_TITLE: Text = t("标题 *", "Title *");
/// Body label.
pub const FIELD_BODY: Text = t("留言内容 *", "Your message *");
/// Hint below the body.
pub const BODY_COUNT_HINT: Text = t(
    "请写明时间、地点和具体情况。本页不自动计数，请自行核对字数（汉字、字母、标点各算一个字）。",
    "Say when, where and what happened. This page does not count for you: please check the length yourself (every character, letter or punctuation mark counts as one).",
);
/// Name label.
pub const FIELD_NAME: Text = t("姓名（选填）", "Name (optional)");
/// Phone label.
pub const FIELD_PHONE: Text = t("手机号码（选填）", "Mobile phone (optional)");
/// Why the phone is asked for.
pub const PHONE_HINT: Text = t(
    "填写后，受理、答复等进展会以短信通知您；承办单位也可能与您电话联系核实情况。",
    "If you give it, we send you SMS notices when your message is registered and answered; the department may also call you to check the facts.",
);
/// E-mail label.
pub const FIELD_EMAIL: Text = t("电子邮箱（选填）", "E-mail (optional)");
/// Address label.
pub const FIELD_ADDRESS: Text = t("问题发生地址（选填）", "Where it happens (optional)");
/// Publication question.
pub const FIELD_PUBLISH: Text = t("是否同意公开 *", "May your message be published? *");
/// Yes to publication.
pub const PUBLISH_YES: Text = t("同意公开", "Yes, publish it");
/// No to publication.
pub const PUBLISH_NO: Text = t("不公开", "No, keep it private");
/// What publication means.
pub const PUBLISH_HINT: Text = t(
    "公开是指：留言的标题、内容和部门答复会在本站“办理公开”栏目展示，供其他市民查阅。您的姓名、电话、邮箱等个人信息任何情况下都不会公开。提交后您会获得一个查询码：不公开的留言只有凭受理编号和查询码才能查看；无论是否公开，评价答复时都需要查询码。党风廉政类留言一律不公开。",
    "Publishing means: the title, the text and the department's reply are shown on this site for other citizens to read. Your name, phone, e-mail and other personal data are never published, in any case. You get a query code when you send it: a private message opens only with the tracking number and that code, and rating the reply always needs it. Party-discipline messages are never published.",
);
/// Personal-data notice heading.
pub const CONSENT_HEADING: Text = t("个人信息处理说明", "Personal-data notice");
/// Personal-data notice text.
pub const CONSENT_NOTICE: Text = t(
    "您提供的姓名、电话、邮箱和地址仅用于办理您的留言：交办给负责的单位、向您核实情况和通知办理结果。这些信息单独保存，不会在任何公开页面、接口或答复中出现，也不会用于其他目的或提供给无关的第三方。办理过程依法存档。",
    "The name, phone, e-mail and address you give are used only to handle your message: to pass it to the department responsible, to check facts with you and to tell you the outcome. They are stored apart, never appear on any public page, interface or reply, and are not used for anything else or given to unrelated third parties. The handling is archived as the law requires.",
);
/// Consent checkbox label.
pub const CONSENT_LABEL: Text = t(
    "我已阅读并同意上述个人信息处理说明 *",
    "I have read and accept the personal-data notice above *",
);
/// Honeypot label (never seen by people).
pub const HONEYPOT_LABEL: Text = t("请勿填写此项", "Leave this empty");
/// Submit button.
pub const SUBMIT_BUTTON: Text = t("提交留言", "Send message");
/// Turnstile failed or missing.
pub const TURNSTILE_FAILED: Text = t(
    "人机验证未通过，请完成验证后重新提交。",
    "The human check did not pass: please complete it and send again.",
);
/// Cloudflare could not be asked to check the human check.
pub const TURNSTILE_UNREACHABLE: Text = t(
    "人机验证服务暂时无法连接，您填写的内容已保留，请稍后重新提交。",
    "The human check could not be reached. What you wrote is kept: please send again shortly.",
);
/// The form's token is expired, forged or for another form.
pub const FORM_EXPIRED: Text = t(
    "表单已过期或无效（表单在打开后24小时内有效）。您填写的内容已保留，请再次提交。",
    "This form has expired or is not valid (a form is valid for 24 hours after it was opened). What you wrote is kept: please send it again.",
);
/// The form's token was already used for different content.
pub const FORM_ALREADY_USED: Text = t(
    "这份表单已经提交过。如果这是一条新的留言，请再次点击提交。",
    "This form was already sent. If this is a new message, press send again.",
);
/// Heading of the page answering a form sent twice.
pub const ALREADY_SENT_TITLE: Text = t("此表单已提交", "This form was already sent");
/// What the page answering a form sent twice says.
pub const ALREADY_SENT: Text = t(
    "这份表单已经提交并受理，不会重复登记。为保护留言人的隐私，查询码只在第一次提交后显示，此处不再显示。",
    "This form was already sent and registered; it is not registered twice. To protect the writer's privacy the query code is shown only after the first sending, never again here.",
);
/// Address publication choice.
pub const SHOW_ADDRESS_LABEL: Text = t(
    "在公开页面上显示此地址（不勾选时只显示约100米范围的大致位置）",
    "Show this address on public pages (otherwise only the location to about 100 m is shown)",
);
/// A filled honeypot.
pub const HONEYPOT_FILLED: Text = t(
    "提交被拒绝：表单中隐藏的字段被填写了。",
    "Refused: a hidden field of the form was filled in.",
);

/// "At most N characters" under a text field.
pub fn max_chars(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("最多{n}个字。"),
        Lang::En => format!("At most {n} characters."),
    }
}

// --- Confirmation ---------------------------------------------------------------------------

/// Confirmation heading.
pub const DONE_TITLE: Text = t("留言已受理", "Your message was registered");
/// Tracking number label.
pub const TRACKING_NUMBER: Text = t("受理编号", "Tracking number");
/// Query code label.
pub const QUERY_CODE: Text = t("查询码", "Query code");
/// Query code warning.
pub const QUERY_CODE_ONCE: Text = t(
    "查询码只显示这一次，请立即抄写或截图保存。评价答复时需要它；不公开的留言没有查询码将无法查看办理情况和答复。",
    "The query code is shown only this once: write it down or take a screenshot now. You need it to rate the reply, and a private message cannot be seen without it.",
);
/// Keep the tracking number.
pub const KEEP_TRACKING: Text = t(
    "请保存受理编号，凭它可随时查询办理进度。",
    "Keep the tracking number: with it you can follow your message at any time.",
);
/// Deadline label.
pub const DEADLINE: Text = t("办理时限", "Answer due by");
/// The "why this date" disclosure on a case page.
pub const WHY_THIS_DATE: Text = t("为什么是这一天", "Why this date");
/// Provisional deadline note.
pub const PROVISIONAL: Text = t(
    "（暂定：所涉年份的法定节假日安排尚未公布，时限可能调整）",
    "(provisional: the official holiday schedule of that year is not published yet, so the date may change)",
);
/// Link to the case page.
pub const VIEW_CASE: Text = t("查看办理进度", "See the progress");

// --- Case page ------------------------------------------------------------------------------

/// Case page heading prefix.
pub const CASE_TITLE: Text = t("留言详情", "Message");
/// Status label.
pub const STATUS: Text = t("办理状态", "Status");
/// Category label.
pub const CATEGORY: Text = t("类别", "Category");
/// Lead department label.
pub const DEPARTMENT: Text = t("承办单位", "Department");
/// Not yet dispatched.
pub const NOT_DISPATCHED: Text = t("尚未交办", "Not dispatched yet");
/// Received label.
pub const RECEIVED: Text = t("受理日期", "Received");
/// Timeline heading.
pub const TIMELINE: Text = t("办理过程", "Progress");
/// Message heading.
pub const MESSAGE: Text = t("留言内容", "The message");
/// Private case, text hidden.
pub const TEXT_HIDDEN: Text = t(
    "此留言不公开，内容不予显示。",
    "This message is private; its text is not shown.",
);
/// Replies heading.
pub const REPLIES: Text = t("答复", "Replies");
/// No reply yet.
pub const NO_REPLY: Text = t("尚无公开答复。", "No published reply yet.");
/// Truthfulness label.
pub const TRUTHFULNESS: Text = t("核实情况", "Findings");
/// Grade label.
pub const GRADE: Text = t("办理结果", "Result");
/// Published label.
pub const PUBLISHED: Text = t("答复日期", "Replied on");

// --- Tracking form --------------------------------------------------------------------------

/// Rating section title.
pub const RATE_TITLE: Text = t("评价答复", "Rate the reply");
/// When rating closes.
pub const RATE_UNTIL: Text = t(
    "请在以下时间前评价（逾期视为未评价并办结）：",
    "Please rate before (after that the case closes as not rated):",
);
/// Rating comment label.
pub const RATE_COMMENT: Text = t("意见（可选）", "Comment (optional)");
/// Rating button.
pub const RATE_BUTTON: Text = t("提交评价", "Send rating");
/// After rating: title.
pub const RATED_TITLE: Text = t("评价已收到", "Rating received");
/// After rating: thanks.
pub const RATED_THANKS: Text = t(
    "感谢您的评价。不满意的，工作人员将核实后决定是否重新办理。",
    "Thank you. If you were not satisfied, staff will check and decide whether to handle it again.",
);

/// Tracking page title.
pub const TRACK_TITLE: Text = t("查询办理进度", "Track a message");
/// Tracking intro.
pub const TRACK_INTRO: Text = t(
    "请输入受理编号。不公开的留言还需输入提交时获得的查询码。",
    "Enter the tracking number. A private message also needs the query code you received when you sent it.",
);
/// Tracking number field label.
pub const FIELD_TRACKING: Text = t("受理编号 *", "Tracking number *");
/// Query code field label.
pub const FIELD_CODE: Text = t(
    "查询码（不公开的留言和评价答复时必填）",
    "Query code (needed for private messages and for rating)",
);
/// Wrong or missing code.
pub const CODE_WRONG: Text = t(
    "查询码不正确或未填写。请核对提交时获得的查询码。",
    "The query code is missing or wrong. Check the code you received when you sent the message.",
);
/// Track button.
pub const TRACK_BUTTON: Text = t("查询", "Look up");

// --- List -----------------------------------------------------------------------------------

/// List title.
pub const LIST_TITLE: Text = t("办理公开", "Answered messages");
/// Any option in a filter.
pub const ANY: Text = t("全部", "All");
/// Month filter label.
pub const MONTH: Text = t("受理月份", "Month received");
/// Month hint.
pub const MONTH_HINT: Text = t("格式：2026-03", "Format: 2026-03");
/// Search label.
pub const SEARCH: Text = t("关键词", "Search");
/// Filter button.
pub const FILTER_BUTTON: Text = t("筛选", "Filter");
/// Search button.
pub const SEARCH_BUTTON: Text = t("搜索", "Search");
/// Empty list.
pub const LIST_EMPTY: Text = t("没有符合条件的留言。", "No messages match.");
/// Next page link.
pub const NEXT_PAGE: Text = t("下一页", "Next page");
/// First page link.
pub const FIRST_PAGE: Text = t("回到第一页", "Back to the first page");

// --- Errors ---------------------------------------------------------------------------------

/// Back to the start page.
pub const BACK_HOME: Text = t("返回首页", "Back to the start page");

/// A field's name as people read it (for error messages that name a field).
pub fn field_name(field: &str) -> Option<Text> {
    Some(match field {
        "category" => t("诉求类别", "Category"),
        "title" => t("标题", "Title"),
        "body" => t("留言内容", "Message"),
        "name" => t("姓名", "Name"),
        "phone" => t("手机号码", "Phone"),
        "email" => t("电子邮箱", "E-mail"),
        "address" => t("地址", "Address"),
        "show_address" => t("显示地址", "Show address"),
        "publish" => t("是否公开", "Publication"),
        "consent" => t("个人信息处理说明", "Personal-data notice"),
        "tracking_number" | "tracking" => t("受理编号", "Tracking number"),
        "code" => t("查询码", "Query code"),
        "department" => t("承办单位", "Department"),
        "month" => t("月份", "Month"),
        "q" => t("关键词", "Search"),
        "cursor" => t("分页", "Page"),
        "website" => t("表单", "Form"),
        "idempotency_key" => t("表单令牌", "Form token"),
        "cf-turnstile-response" => t("人机验证", "Human check"),
        _ => return None,
    })
}

/// A public timeline event (`case_event.kind`) as people read it.
pub fn event(kind: &str) -> Text {
    match kind {
        "registered" => t("已受理", "Registered"),
        "classified" => t("类别已更正", "Category corrected"),
        "dispatched" => t("已交办承办单位", "Passed to the department"),
        "returned" => t("承办单位退回", "Returned by the department"),
        "accepted" => t("承办单位已签收", "Accepted by the department"),
        "extended" => t("已延期办理", "Extended"),
        "draft_submitted" => t("答复待审核", "Reply under review"),
        "approved" => t("答复已审核", "Reply approved"),
        "published" => t("已答复", "Replied"),
        "rated" => t("市民已评价", "Rated by the citizen"),
        "answered_on_the_spot" => t("已当场答复", "Answered on the spot"),
        "reopen_requested" => t("申请重新办理", "Reopen requested"),
        "reopen_declined" => t("经核实不予重办，已办结", "Reopen declined; closed"),
        "reopened" => t("重新办理", "Reopened"),
        "transferred_out" => t("已转出", "Transferred out"),
        "dismissed" => t("不予办理", "Closed without handling"),
        "closed_unrated" => t("已办结（未评价）", "Closed (not rated)"),
        "reminded" => t("已催办", "Reminder sent"),
        "rejected" => t("审核退回重办", "Sent back for redo"),
        "co_handler_opinion" => t("会办意见", "Co-handler's opinion"),
        "first_response_late" => t("首次响应超时", "First response late"),
        "dispatch_late" => t("当日交办超时", "Same-day dispatch missed"),
        "stage_report_late" => t("阶段报告超时", "Stage report late"),
        "return_requested" => t("申请退回", "Return requested"),
        "return_decided" => t("退回审批", "Return decided"),
        "coordinated" => t("协调会办", "Co-handlers coordinated"),
        "instructed" => t("领导批示", "Leader's instruction"),
        "signed_off" => t("负责人已签发", "Signed off"),
        "draft_sent_back" => t("负责人退回修改", "Sent back by the head"),
        "escalated" => t("已督办", "Under supervision"),
        _ => t("办理进展", "Progress"),
    }
}
