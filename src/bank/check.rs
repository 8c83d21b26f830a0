//! Validation of bank files, with every error placed at a line and column.
//!
//! `serde` stops at the first problem and knows nothing of duplicate ids or
//! empty talking points, so the checker walks the spanned TOML tree itself
//! (`toml::de::DeTable`) and collects every problem it finds. Loading a bank
//! runs the same checks, so a bank that passes `viva bank check` loads, and
//! one that does not is refused with the same messages.
//!
//! When the TOML syntax itself is broken only the syntax errors are reported:
//! the tree the parser recovers from broken syntax would give misleading
//! follow-on errors.

use std::collections::HashMap;

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::Bank;

/// The fields of a bank, in the order they are documented.
const BANK_FIELDS: &[&str] = &["id", "title", "role", "target_s", "questions"];
/// The fields of a question, in the order they are documented.
const QUESTION_FIELDS: &[&str] = &[
    "id",
    "text",
    "guidance",
    "talking_points",
    "aliases",
    "target_s",
    "sample_answer",
    "follow_ups",
];
/// The fields of a follow-up.
const FOLLOW_UP_FIELDS: &[&str] = &["point", "text"];

/// One problem in a bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, naming the question and field.
    pub message: String,
}

impl Diagnostic {
    /// `FILE:LINE:COLUMN: message`, the way compilers print it.
    pub(crate) fn render(&self, file: &str) -> String {
        format!("{file}:{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Every problem in `text`, in file order; empty when the bank is valid.
pub fn check(text: &str) -> Vec<Diagnostic> {
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let mut checker = Checker {
        text,
        found: Vec::new(),
    };
    if syntax_errors.is_empty() {
        checker.bank(&root);
    } else {
        for error in &syntax_errors {
            let offset = error.span().map_or(0, |span| span.start);
            checker.error(offset, syntax_message(error.message()));
        }
    }
    checker.into_diagnostics()
}

/// Parse and validate a bank. On failure, every problem found.
pub fn parse(text: &str) -> Result<Bank, Vec<Diagnostic>> {
    let diagnostics = check(text);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    // The checker accepts only what deserializes; this is the safety net for
    // anything it might have missed, still placed at a line.
    toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        vec![at(text, offset, syntax_message(error.message()))]
    })
}

/// The toml crate's messages can span lines; a diagnostic is one line.
fn syntax_message(message: &str) -> String {
    let parts: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    format!("invalid TOML: {}", parts.join("; "))
}

struct Checker<'t> {
    text: &'t str,
    /// (byte offset, message), sorted into file order at the end.
    found: Vec<(usize, String)>,
}

/// Where an id was first used, to point duplicates at it.
struct SeenId {
    number: usize,
    offset: usize,
}

impl Checker<'_> {
    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.found.push((offset, message.into()));
    }

    fn into_diagnostics(mut self) -> Vec<Diagnostic> {
        self.found.sort_by_key(|(offset, _)| *offset);
        let text = self.text;
        self.found
            .into_iter()
            .map(|(offset, message)| at(text, offset, message))
            .collect()
    }

    fn bank(&mut self, root: &Spanned<DeTable<'_>>) {
        let table = root.get_ref();
        let start = root.span().start;
        self.unknown_fields(table, BANK_FIELDS, "the bank");

        if let Some((id, offset)) = self.string_field(table, start, "id", "the bank") {
            self.slug(&id, offset, "the bank's id");
        }
        for name in ["title", "role"] {
            if let Some((value, offset)) = self.string_field(table, start, name, "the bank") {
                if value.trim().is_empty() {
                    self.error(offset, format!("the bank has no {name}"));
                }
            }
        }
        if let Some(target) = table.get("target_s") {
            self.target(target, "the bank");
        }

        let Some(questions) = table.get("questions") else {
            self.error(
                start,
                "the bank has no questions: add `[[questions]]` tables",
            );
            return;
        };
        let Some(array) = questions.get_ref().as_array() else {
            self.error(
                questions.span().start,
                format!(
                    "'questions' must be `[[questions]]` tables, not {}",
                    kind_of(questions.get_ref())
                ),
            );
            return;
        };
        if array.is_empty() {
            self.error(questions.span().start, "the bank has no questions");
        }
        // A duplicated id cannot name a question, so those are named by number.
        let mut id_counts: HashMap<&str, usize> = HashMap::new();
        for question in array.iter() {
            if let Some(id) = question_id(question) {
                *id_counts.entry(id).or_default() += 1;
            }
        }
        let mut seen: HashMap<String, SeenId> = HashMap::new();
        for (index, question) in array.iter().enumerate() {
            let number = index + 1;
            let owner = match question_id(question) {
                Some(id) if id_counts.get(id) == Some(&1) => format!("question '{id}'"),
                _ => format!("question {number}"),
            };
            self.question(number, &owner, question, &mut seen);
        }
    }

    fn question(
        &mut self,
        number: usize,
        owner: &str,
        question: &Spanned<DeValue<'_>>,
        seen: &mut HashMap<String, SeenId>,
    ) {
        let start = question.span().start;
        let Some(table) = question.get_ref().as_table() else {
            self.error(
                start,
                format!(
                    "question {number} must be a table, not {}",
                    kind_of(question.get_ref())
                ),
            );
            return;
        };
        self.unknown_fields(table, QUESTION_FIELDS, owner);

        match self.string_field(table, start, "id", &format!("question {number}")) {
            Some((id, offset)) if id.trim().is_empty() => {
                self.error(offset, format!("question {number} has an empty id"));
            }
            Some((id, offset)) => {
                self.slug(&id, offset, &format!("{owner}: the id"));
                if let Some(first) = seen.get(&id) {
                    let (line, _) = line_column(self.text, first.offset);
                    let message = format!(
                        "question {number} has the same id '{id}' as question {} (line {line})",
                        first.number
                    );
                    self.error(offset, message);
                } else {
                    seen.insert(id, SeenId { number, offset });
                }
            }
            None => {}
        }
        if let Some((text, offset)) = self.string_field(table, start, "text", owner) {
            if text.trim().is_empty() {
                self.error(offset, format!("{owner} has no text"));
            }
        }
        // Guidance and sample answer must be present but may be empty: an
        // imported page can lack them, and the question is still usable.
        self.string_field(table, start, "guidance", owner);
        self.string_field(table, start, "sample_answer", owner);
        self.talking_points(table, start, owner);
        if let Some(aliases) = table.get("aliases") {
            self.aliases(aliases, owner);
        }
        if let Some(target) = table.get("target_s") {
            self.target(target, owner);
        }
        if let Some(follow_ups) = table.get("follow_ups") {
            self.follow_ups(follow_ups, &point_texts(table), owner);
        }
    }

    /// `follow_ups = [{ point = "…", text = "…" }, …]`: each point one of the
    /// question's talking points, at most once, each text a question.
    fn follow_ups(&mut self, follow_ups: &Spanned<DeValue<'_>>, points: &[String], owner: &str) {
        let Some(array) = follow_ups.get_ref().as_array() else {
            self.error(
                follow_ups.span().start,
                format!(
                    "{owner}: 'follow_ups' must be a list like [{{ point = \"…\", text = \"…\" }}], not {}",
                    kind_of(follow_ups.get_ref())
                ),
            );
            return;
        };
        let mut seen: Vec<String> = Vec::new();
        for (index, item) in array.iter().enumerate() {
            let start = item.span().start;
            let what = format!("{owner}: follow-up {}", index + 1);
            let Some(table) = item.get_ref().as_table() else {
                self.error(
                    start,
                    format!(
                        "{what} must be a table {{ point = \"…\", text = \"…\" }}, not {}",
                        kind_of(item.get_ref())
                    ),
                );
                continue;
            };
            self.unknown_fields(table, FOLLOW_UP_FIELDS, &what);
            if let Some((point, offset)) = self.string_field(table, start, "point", &what) {
                if !points.contains(&point) {
                    let hint = points
                        .iter()
                        .map(|p| (strsim::jaro_winkler(&point, p), p))
                        .filter(|(score, _)| *score > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, p)| format!("did you mean '{p}'?"))
                        .unwrap_or_else(|| {
                            "it must be one of its talking points, as written".to_string()
                        });
                    self.error(
                        offset,
                        format!("{what}: '{point}' is not a talking point of the question; {hint}"),
                    );
                } else if seen.contains(&point) {
                    self.error(
                        offset,
                        format!("{what}: talking point '{point}' has a follow-up already"),
                    );
                } else {
                    seen.push(point);
                }
            }
            if let Some((text, offset)) = self.string_field(table, start, "text", &what) {
                if text.trim().is_empty() {
                    self.error(offset, format!("{what} has no text"));
                }
            }
        }
    }

    fn talking_points(&mut self, table: &DeTable<'_>, start: usize, owner: &str) {
        let Some(points) = table.get("talking_points") else {
            self.error(start, format!("{owner} is missing field 'talking_points'"));
            return;
        };
        let Some(array) = points.get_ref().as_array() else {
            self.error(
                points.span().start,
                format!(
                    "{owner}: 'talking_points' must be a list of strings, not {}",
                    kind_of(points.get_ref())
                ),
            );
            return;
        };
        if array.is_empty() {
            self.error(
                points.span().start,
                format!("{owner} has no talking points"),
            );
        }
        for (index, point) in array.iter().enumerate() {
            match point.get_ref().as_str() {
                Some(text) if text.trim().is_empty() => self.error(
                    point.span().start,
                    format!("{owner}: talking point {} is empty", index + 1),
                ),
                Some(_) => {}
                None => self.error(
                    point.span().start,
                    format!(
                        "{owner}: talking point {} must be a string, not {}",
                        index + 1,
                        kind_of(point.get_ref())
                    ),
                ),
            }
        }
    }

    fn aliases(&mut self, aliases: &Spanned<DeValue<'_>>, owner: &str) {
        let Some(table) = aliases.get_ref().as_table() else {
            self.error(
                aliases.span().start,
                format!(
                    "{owner}: 'aliases' must be a table like {{ IRSA = [\"IAM roles for service accounts\"] }}, not {}",
                    kind_of(aliases.get_ref())
                ),
            );
            return;
        };
        for (term, forms) in table.iter() {
            if term.get_ref().trim().is_empty() {
                self.error(
                    term.span().start,
                    format!("{owner}: an alias term is empty"),
                );
            }
            let term = term.get_ref();
            match forms.get_ref().as_array() {
                Some(list) if list.is_empty() => self.error(
                    forms.span().start,
                    format!("{owner}: alias '{term}' has no spoken forms"),
                ),
                Some(list) => self.alias_forms(list, owner, term),
                None => self.error(
                    forms.span().start,
                    format!("{owner}: alias '{term}' must be a list of strings"),
                ),
            }
        }
    }

    fn alias_forms(&mut self, list: &DeArray<'_>, owner: &str, term: &str) {
        for form in list.iter() {
            match form.get_ref().as_str() {
                Some(text) if !text.trim().is_empty() => {}
                _ => self.error(
                    form.span().start,
                    format!("{owner}: alias '{term}' has an empty or non-string spoken form"),
                ),
            }
        }
    }

    /// `target_s = [min, max]` in whole seconds, min ≤ max.
    fn target(&mut self, target: &Spanned<DeValue<'_>>, owner: &str) {
        let offset = target.span().start;
        let seconds: Option<Vec<u32>> = target.get_ref().as_array().and_then(|array| {
            array
                .iter()
                .map(|item| {
                    let int = item.get_ref().as_integer()?;
                    u32::from_str_radix(&int.as_str().replace('_', ""), int.radix()).ok()
                })
                .collect()
        });
        match seconds.as_deref() {
            Some([min, max]) if min <= max && *max > 0 => {}
            Some([min, max]) if min > max => self.error(
                offset,
                format!("{owner}: target_s [{min}, {max}] has its minimum above its maximum"),
            ),
            _ => self.error(
                offset,
                format!("{owner}: target_s must be [min, max] in seconds, e.g. [60, 120]"),
            ),
        }
    }

    /// Ids become file names (`03-ci-cd.wav`) and are typed on the command
    /// line, so they are lowercase slugs; all-digit ids would clash with
    /// question numbers.
    fn slug(&mut self, id: &str, offset: usize, what: &str) {
        if id.trim().is_empty() {
            self.error(offset, format!("{what} is empty"));
        } else if !is_slug(id) {
            self.error(
                offset,
                format!("{what} '{id}' must be lowercase letters, digits and single hyphens, e.g. 'ci-cd'"),
            );
        } else if id.chars().all(|c| c.is_ascii_digit()) {
            self.error(
                offset,
                format!(
                    "{what} '{id}' must not be only digits: numbers select questions by position"
                ),
            );
        }
    }

    /// A required string field: reports it missing or of the wrong type.
    /// Returns its value and offset when it is a string.
    fn string_field(
        &mut self,
        table: &DeTable<'_>,
        table_start: usize,
        name: &str,
        owner: &str,
    ) -> Option<(String, usize)> {
        let Some(value) = table.get(name) else {
            self.error(table_start, format!("{owner} is missing field '{name}'"));
            return None;
        };
        match value.get_ref().as_str() {
            Some(text) => Some((text.to_string(), value.span().start)),
            None => {
                self.error(
                    value.span().start,
                    format!(
                        "{owner}: '{name}' must be a string, not {}",
                        kind_of(value.get_ref())
                    ),
                );
                None
            }
        }
    }

    fn unknown_fields(&mut self, table: &DeTable<'_>, known: &[&str], owner: &str) {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if known.contains(&name) {
                continue;
            }
            let hint = known
                .iter()
                .map(|k| (strsim::jaro_winkler(name, k), *k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| format!("did you mean '{k}'?"))
                .unwrap_or_else(|| format!("expected one of: {}", known.join(", ")));
            self.error(
                key.span().start,
                format!("{owner} has an unknown field '{name}'; {hint}"),
            );
        }
    }
}

/// A question's talking points that are strings.
fn point_texts(table: &DeTable<'_>) -> Vec<String> {
    table
        .get("talking_points")
        .and_then(|points| points.get_ref().as_array())
        .map(|array| {
            array
                .iter()
                .filter_map(|point| point.get_ref().as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A question's id, when it has a non-empty one.
fn question_id<'v>(question: &'v Spanned<DeValue<'_>>) -> Option<&'v str> {
    question
        .get_ref()
        .as_table()?
        .get("id")?
        .get_ref()
        .as_str()
        .filter(|id| !id.trim().is_empty())
}

/// A value's TOML type with its article: "a string", "an integer".
fn kind_of(value: &DeValue<'_>) -> String {
    let kind = value.type_str();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// True for `a-z0-9` words joined by single hyphens.
pub(crate) fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// A diagnostic at a byte offset of `text`.
fn at(text: &str, offset: usize, message: String) -> Diagnostic {
    let (line, column) = line_column(text, offset);
    Diagnostic {
        line,
        column,
        message,
    }
}

/// 1-based line and character column of a byte offset (clamped to the text).
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str) -> Vec<String> {
        check(text).iter().map(|d| d.render("b.toml")).collect()
    }

    const GOOD_QUESTION: &str = "[[questions]]\nid = \"one\"\ntext = \"Why?\"\nguidance = \"\"\ntalking_points = [\"a\"]\nsample_answer = \"\"\n";

    fn bank_with(questions: &str) -> String {
        format!("id = \"b\"\ntitle = \"B\"\nrole = \"R\"\n\n{questions}")
    }

    #[test]
    fn a_valid_bank_has_no_diagnostics_and_parses() {
        let text = bank_with(GOOD_QUESTION);
        assert_eq!(rendered(&text), Vec::<String>::new());
        let bank = parse(&text).unwrap();
        assert_eq!(bank.questions[0].talking_points, ["a"]);
    }

    #[test]
    fn the_built_in_bank_is_valid() {
        let text = include_str!("../../data/banks/platform-engineer.toml");
        assert_eq!(rendered(text), Vec::<String>::new());
        assert_eq!(parse(text).unwrap().questions.len(), 24);
    }

    #[test]
    fn every_problem_is_reported_at_its_place() {
        let text = include_str!("../../tests/fixtures/banks/broken.toml");
        assert_eq!(
            rendered(text),
            [
                "b.toml:5:1: the bank has an unknown field 'colour'; expected one of: id, title, role, target_s, questions",
                "b.toml:9:8: question 1 has no text",
                "b.toml:11:28: question 1: talking point 2 is empty",
                "b.toml:14:1: question 2 is missing field 'talking_points'",
                "b.toml:15:6: question 2 has the same id 'ci-cd' as question 1 (line 8)",
                "b.toml:18:1: question 2 has an unknown field 'talking_point'; did you mean 'talking_points'?",
                "b.toml:21:1: question 'Bad Id' is missing field 'guidance'",
                "b.toml:22:6: question 'Bad Id': the id 'Bad Id' must be lowercase letters, digits and single hyphens, e.g. 'ci-cd'",
                "b.toml:24:18: question 'Bad Id' has no talking points",
                "b.toml:26:12: question 'Bad Id': target_s [120, 60] has its minimum above its maximum",
                "b.toml:29:6: question '7': the id '7' must not be only digits: numbers select questions by position",
                "b.toml:33:17: question '7': 'sample_answer' must be a string, not an integer",
            ]
        );
    }

    #[test]
    fn follow_ups_must_name_a_talking_point_once_and_ask_something() {
        let question = "[[questions]]\nid = \"one\"\ntext = \"Why?\"\nguidance = \"\"\n\
            talking_points = [\"rotation strategy\", \"tools\"]\nsample_answer = \"\"\n\
            follow_ups = [\n\
            { point = \"rotation strategy\", text = \"How often would you rotate?\" },\n\
            { point = \"rotation stratgy\", text = \"Again?\" },\n\
            { point = \"rotation strategy\", text = \"Twice?\" },\n\
            { point = \"tools\", text = \" \" },\n\
            { point = \"tools\", txt = \"x\" },\n\
            \"a string\",\n]\n";
        let found = rendered(&bank_with(question));
        assert_eq!(
            found,
            [
                "b.toml:13:11: question 'one': follow-up 2: 'rotation stratgy' is not a talking point of the question; did you mean 'rotation strategy'?",
                "b.toml:14:11: question 'one': follow-up 3: talking point 'rotation strategy' has a follow-up already",
                "b.toml:15:27: question 'one': follow-up 4 has no text",
                "b.toml:16:1: question 'one': follow-up 5 is missing field 'text'",
                "b.toml:16:11: question 'one': follow-up 5: talking point 'tools' has a follow-up already",
                "b.toml:16:20: question 'one': follow-up 5 has an unknown field 'txt'; did you mean 'text'?",
                "b.toml:17:1: question 'one': follow-up 6 must be a table { point = \"…\", text = \"…\" }, not a string",
            ]
        );
        let bank = parse(&bank_with(GOOD_QUESTION)).unwrap();
        assert!(bank.questions[0].follow_ups.is_empty());
    }

    #[test]
    fn syntax_errors_are_reported_alone() {
        let text = include_str!("../../tests/fixtures/banks/bad-syntax.toml");
        let found = rendered(text);
        assert!(!found.is_empty());
        assert!(
            found.iter().all(|d| d.contains(": invalid TOML: ")),
            "{found:?}"
        );
        assert!(found[0].starts_with("b.toml:2:"), "{found:?}");
    }

    #[test]
    fn a_bank_without_questions_or_fields_says_so() {
        assert_eq!(
            rendered(""),
            [
                "b.toml:1:1: the bank is missing field 'id'",
                "b.toml:1:1: the bank is missing field 'title'",
                "b.toml:1:1: the bank is missing field 'role'",
                "b.toml:1:1: the bank has no questions: add `[[questions]]` tables",
            ]
        );
        assert_eq!(
            rendered(&bank_with("questions = []\n")),
            ["b.toml:5:13: the bank has no questions"]
        );
        assert_eq!(
            rendered(&bank_with("questions = \"none\"\n")),
            ["b.toml:5:13: 'questions' must be `[[questions]]` tables, not a string"]
        );
    }

    #[test]
    fn aliases_and_targets_are_checked() {
        let question = GOOD_QUESTION.to_string()
            + "aliases = { IRSA = [], \"\" = [\"x\"], OPA = \"open policy agent\", SSO = [\"\"] }\ntarget_s = [60]\n";
        assert_eq!(
            rendered(&bank_with(&question)),
            [
                "b.toml:11:20: question 'one': alias 'IRSA' has no spoken forms",
                "b.toml:11:24: question 'one': an alias term is empty",
                "b.toml:11:42: question 'one': alias 'OPA' must be a list of strings",
                "b.toml:11:70: question 'one': alias 'SSO' has an empty or non-string spoken form",
                "b.toml:12:12: question 'one': target_s must be [min, max] in seconds, e.g. [60, 120]",
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_column("é\nxé€y", 9), (2, 4));
        assert_eq!(line_column("é\nxé€y", 8), (2, 3));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn slugs() {
        assert!(is_slug("ci-cd"));
        assert!(is_slug("q1"));
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a_b", "é"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
