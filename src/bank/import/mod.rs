//! Import of a question page in the seed's text format into a [`Bank`].
//!
//! The format (see `shared/seeds/000_…txt`):
//!
//! ```text
//! Platform Engineer Interview Questions          ← title
//! Prepare for your Platform Engineer interview…  ← description (ignored)
//! Interview Questions for Platform Engineer      ← list header (gives the role)
//! Walk me through how you would design …?        ← the list, one question a line
//! …
//! -                                              ← end of the list
//! Walk me through how you would design …?        ← a block: the question,
//! Employers ask … In your answer, highlight …    ←   the guidance,
//! Answer Example: "I’d start with …"             ←   the sample answer,
//! Help us improve this answer. / -               ←   a footer that ends it
//! ```
//!
//! Pages copied from the web vary, so the reader is lenient: CRLF or CR line
//! ends, a byte-order mark, blank lines anywhere, straight or curly quotes
//! around the answer, an answer over several lines, blocks with no guidance
//! or answer, separators or footers missing. Blocks are matched to the list
//! by their words, ignoring case, punctuation and quote style; a block whose
//! words differ a little is matched to the closest listed question. The list
//! decides the order and wording. Nothing is dropped: a listed question with
//! no block, a block that is not listed, and any line that is not understood
//! each become a [`Warning`] with its line number, and the question is kept
//! (with what is missing left empty). Without a list, the blocks give the
//! questions in page order.

mod aliases;
mod slug;
mod talking_points;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::types::DEFAULT_TARGET_S;
use super::{Bank, Question};

/// Something in the page the importer could not use as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line of the page.
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// A bank read from a page, and what the reader had to work around.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub bank: Bank,
    pub warnings: Vec<Warning>,
}

/// Why a page cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the page is empty")]
    Empty,
    #[error("the page has no questions: expected a title line, then one question per line")]
    NoQuestions,
    #[error("'{0}' cannot be a bank id: use lowercase letters, digits and hyphens, e.g. 'platform-engineer'")]
    BadId(String),
}

/// Read a page. `bank_id` overrides the id derived from the title.
pub fn import(page: &str, bank_id: Option<&str>) -> Result<Imported, ImportError> {
    if let Some(id) = bank_id {
        if !super::check::is_slug(id) {
            return Err(ImportError::BadId(id.to_string()));
        }
    }
    let lines = lines(page);
    let Some(((_, title), rest)) = lines.split_first() else {
        return Err(ImportError::Empty);
    };
    let page = Page::read(rest);
    let mut warnings = page.warnings.clone();
    let questions = assemble(&page, &mut warnings);
    if questions.is_empty() {
        return Err(ImportError::NoQuestions);
    }
    let role = page
        .role
        .clone()
        .unwrap_or_else(|| slug::role_from_title(title));
    let bank = Bank {
        id: bank_id.map_or_else(|| slug::bank_id(title), str::to_string),
        title: title.to_string(),
        role,
        target_s: Some(DEFAULT_TARGET_S),
        questions,
    };
    warnings.sort_by_key(|w| w.line);
    Ok(Imported { bank, warnings })
}

/// Non-blank lines, trimmed, with their 1-based line numbers.
fn lines(page: &str) -> Vec<(usize, String)> {
    let page = page.strip_prefix('\u{feff}').unwrap_or(page);
    let page = page.replace("\r\n", "\n").replace('\r', "\n");
    page.split('\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim().to_string()))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

/// What a line of the page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// "-": ends the list or a block.
    Separator,
    /// "Help us improve this answer. / -": ends a block.
    Footer,
    /// "Interview Questions for <role>".
    ListHeader,
    /// "Employers ask …".
    Guidance,
    /// "Answer Example: "…"".
    Answer,
    /// Anything else: a question, or a continuation line.
    Text,
}

fn kind(line: &str) -> Kind {
    if line.chars().all(|c| matches!(c, '-' | '–' | '—')) {
        Kind::Separator
    } else if after_prefix(line, "help us improve this answer").is_some() {
        Kind::Footer
    } else if after_prefix(line, LIST_HEADER).is_some() {
        Kind::ListHeader
    } else if after_prefix(line, "employers ask").is_some() {
        Kind::Guidance
    } else if answer_body(line).is_some() {
        Kind::Answer
    } else {
        Kind::Text
    }
}

/// The list header's words, before the role.
const LIST_HEADER: &str = "interview questions for ";

/// `line` after `prefix` (ASCII, matched ignoring case), if it starts with it.
fn after_prefix<'l>(line: &'l str, prefix: &str) -> Option<&'l str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &line[prefix.len()..])
}

/// The text after "Answer Example:" (or "Sample Answer:", "Example Answer:").
fn answer_body(line: &str) -> Option<&str> {
    ["answer example", "sample answer", "example answer"]
        .iter()
        .find_map(|prefix| {
            let rest = after_prefix(line, prefix)?.trim_start();
            rest.strip_prefix(':').map(str::trim_start)
        })
}

/// Opening quotes an answer may start with, and the closing ones.
const OPENING_QUOTES: &[char] = &['"', '“', '”', '„', '«'];
const CLOSING_QUOTES: &[char] = &['"', '”', '“', '»'];

/// One question block as found on the page.
#[derive(Debug, Default, Clone)]
struct Block {
    line: usize,
    question: String,
    guidance: Option<(usize, String)>,
    answer: Option<(usize, String)>,
    /// The answer's opening quote has not been closed yet: the next text
    /// lines continue it.
    answer_open: bool,
}

/// The page split into its parts.
#[derive(Debug, Default)]
struct Page {
    role: Option<String>,
    list: Vec<(usize, String)>,
    blocks: Vec<Block>,
    warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading the list of questions (before the first separator or block).
    List,
    /// After a separator or footer, waiting for the next block's question.
    Between,
    /// Inside a block.
    Block,
}

impl Page {
    /// Read the lines after the title.
    fn read(lines: &[(usize, String)]) -> Page {
        let mut reader = Reader {
            page: Page::default(),
            state: State::List,
            current: None,
        };
        for (index, (number, line)) in lines.iter().enumerate() {
            let next_kind = lines.get(index + 1).map(|(_, next)| kind(next));
            let starts_block = matches!(next_kind, Some(Kind::Guidance | Kind::Answer));
            reader.line(*number, line, starts_block);
        }
        reader.finish_block();
        reader.page
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }
}

/// The line-by-line state of reading a page.
struct Reader {
    page: Page,
    state: State,
    /// The block being read.
    current: Option<Block>,
}

impl Reader {
    /// Take one line; `starts_block` when the next line is a guidance or an
    /// answer, which makes this line a block's question.
    fn line(&mut self, number: usize, line: &str, starts_block: bool) {
        match kind(line) {
            Kind::Separator | Kind::Footer => {
                self.finish_block();
                self.state = State::Between;
            }
            Kind::ListHeader if self.state == State::List => {
                // Lines between the title and the header were the description.
                self.page.list.clear();
                let role = after_prefix(line, LIST_HEADER).unwrap_or_default().trim();
                self.page.role = (!role.is_empty()).then(|| role.to_string());
            }
            Kind::Guidance => self.guidance(number, line),
            Kind::Answer => self.answer(number, line),
            // A header line later on is just text.
            Kind::ListHeader | Kind::Text => self.text(number, line, starts_block),
        }
    }

    fn guidance(&mut self, number: usize, line: &str) {
        match self.current.as_mut() {
            Some(block) if block.answer.is_none() => {
                match &mut block.guidance {
                    Some((_, text)) => {
                        text.push(' ');
                        text.push_str(line);
                    }
                    None => block.guidance = Some((number, line.to_string())),
                }
                self.state = State::Block;
            }
            _ => self
                .page
                .warn(number, "guidance with no question before it: ignored"),
        }
    }

    fn answer(&mut self, number: usize, line: &str) {
        match self.current.as_mut() {
            Some(block) if block.answer.is_none() => {
                let (text, open) = unquote_start(answer_body(line).unwrap_or_default());
                block.answer = Some((number, text));
                block.answer_open = open;
                self.state = State::Block;
            }
            Some(block) => {
                let message = format!(
                    "a second answer for the question at line {}: ignored (the first is kept)",
                    block.line
                );
                self.page.warn(number, message);
            }
            None => self
                .page
                .warn(number, "answer with no question before it: ignored"),
        }
    }

    fn text(&mut self, number: usize, line: &str, starts_block: bool) {
        let in_open_answer = self.current.as_ref().is_some_and(|b| b.answer_open);
        if in_open_answer && !starts_block {
            if let Some(block) = self.current.as_mut() {
                block.continue_answer(line);
            }
        } else if starts_block || self.state == State::Between {
            self.start_block(number, line);
        } else if self.state == State::List {
            self.page.list.push((number, line.to_string()));
        } else if line.ends_with('?') {
            // A question whose block lost its separator and body.
            self.start_block(number, line);
        } else if let Some((_, guidance)) = self
            .current
            .as_mut()
            .filter(|b| b.answer.is_none())
            .and_then(|b| b.guidance.as_mut())
        {
            // Guidance wrapped over several lines.
            guidance.push(' ');
            guidance.push_str(line);
        } else {
            self.page.warn(
                number,
                "text in a question's block that is not its guidance or answer: ignored",
            );
        }
    }

    fn start_block(&mut self, number: usize, question: &str) {
        self.finish_block();
        self.current = Some(Block {
            line: number,
            question: question.to_string(),
            ..Block::default()
        });
        self.state = State::Block;
    }

    fn finish_block(&mut self) {
        let Some(mut block) = self.current.take() else {
            return;
        };
        if block.answer_open {
            let line = block.answer.as_ref().map_or(block.line, |(line, _)| *line);
            self.page.warn(
                line,
                "the sample answer's closing quote is missing: kept up to the end of its block",
            );
            block.answer_open = false;
        }
        self.page.blocks.push(block);
    }
}

impl Block {
    /// Add a line to a multi-line answer, closing it at a closing quote.
    fn continue_answer(&mut self, line: &str) {
        let Some((_, text)) = self.answer.as_mut() else {
            return;
        };
        let (line, closed) = match line.strip_suffix(CLOSING_QUOTES) {
            Some(inner) => (inner.trim_end(), true),
            None => (line, false),
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(line);
        self.answer_open = !closed;
    }
}

/// An answer's first line without its quotes, and whether the quote is
/// still open (the answer continues on the next lines).
fn unquote_start(body: &str) -> (String, bool) {
    let Some(inner) = body.strip_prefix(OPENING_QUOTES) else {
        return (body.to_string(), false);
    };
    match inner.strip_suffix(CLOSING_QUOTES) {
        Some(inner) => (inner.trim().to_string(), false),
        None => (inner.trim().to_string(), true),
    }
}

/// The words of a question, for matching: lowercase letters and digits only,
/// so case, punctuation and quote styles do not matter.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// How alike two questions' words are, 0.0..=1.0 (Dice coefficient on word sets).
fn similarity(a: &[String], b: &[String]) -> f64 {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

/// Blocks whose words are at least this alike are the same question.
const SAME_QUESTION: f64 = 0.75;

/// The questions in list order (blocks matched to them), then any block that
/// is not in the list.
fn assemble(page: &Page, warnings: &mut Vec<Warning>) -> Vec<Question> {
    let block_for_item = match_blocks(page, warnings);
    let mut drafts: Vec<(String, Option<&Block>)> = Vec::new();
    for (i, (line, text)) in page.list.iter().enumerate() {
        let block = block_for_item[i].map(|b| &page.blocks[b]);
        if block.is_none() {
            warnings.push(Warning {
                line: *line,
                message: format!(
                    "question {} has no block with its guidance and answer: imported with those empty",
                    i + 1
                ),
            });
        }
        drafts.push((text.clone(), block));
    }
    for (b, block) in page.blocks.iter().enumerate() {
        if block_for_item.contains(&Some(b)) {
            continue;
        }
        if !page.list.is_empty() {
            warnings.push(Warning {
                line: block.line,
                message: format!(
                    "this block's question is not in the list: added as question {}",
                    drafts.len() + 1
                ),
            });
        }
        drafts.push((block.question.clone(), Some(block)));
    }

    let definitions = aliases::definitions(page.blocks.iter().flat_map(|b| {
        let guidance = b.guidance.as_ref().map(|(_, g)| g.as_str());
        let answer = b.answer.as_ref().map(|(_, a)| a.as_str());
        [Some(b.question.as_str()), guidance, answer]
            .into_iter()
            .flatten()
    }));
    let mut taken = HashSet::new();
    let mut questions = Vec::new();
    for (index, (text, block)) in drafts.into_iter().enumerate() {
        let question = question(index + 1, text, block, &definitions, warnings);
        let id = slug::unique(question.id.clone(), &taken);
        taken.insert(id.clone());
        questions.push(Question { id, ..question });
    }
    questions
}

/// For each listed question, the block that answers it: blocks with the
/// same words first, then the closest remaining ones (reported).
fn match_blocks(page: &Page, warnings: &mut Vec<Warning>) -> Vec<Option<usize>> {
    let list_words: Vec<Vec<String>> = page.list.iter().map(|(_, q)| words(q)).collect();
    let block_words: Vec<Vec<String>> = page.blocks.iter().map(|b| words(&b.question)).collect();
    let mut block_for_item: Vec<Option<usize>> = vec![None; page.list.len()];
    let mut matched = vec![false; page.blocks.len()];
    for (b, words) in block_words.iter().enumerate() {
        let same =
            (0..list_words.len()).find(|&i| block_for_item[i].is_none() && list_words[i] == *words);
        if let Some(i) = same {
            block_for_item[i] = Some(b);
            matched[b] = true;
        }
    }
    for (b, words) in block_words.iter().enumerate() {
        if matched[b] {
            continue;
        }
        let closest = (0..list_words.len())
            .filter(|&i| block_for_item[i].is_none())
            .map(|i| (similarity(&list_words[i], words), i))
            .filter(|(score, _)| *score >= SAME_QUESTION)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        if let Some((_, i)) = closest {
            block_for_item[i] = Some(b);
            matched[b] = true;
            warnings.push(Warning {
                line: page.blocks[b].line,
                message: format!(
                    "this block's question differs from the list's (line {}): using the list's wording",
                    page.list[i].0
                ),
            });
        }
    }
    block_for_item
}

/// Question `number` from its text and block, reporting what is missing.
/// Its id is not yet made unique.
fn question(
    number: usize,
    text: String,
    block: Option<&Block>,
    definitions: &BTreeMap<String, Vec<String>>,
    warnings: &mut Vec<Warning>,
) -> Question {
    let guidance = block.and_then(|b| b.guidance.clone());
    let answer = block.and_then(|b| b.answer.clone());
    if let Some(block) = block {
        if guidance.is_none() {
            warnings.push(Warning {
                line: block.line,
                message: format!(
                    "question {number} has no guidance (\"Employers ask …\"), so no talking points"
                ),
            });
        }
        if answer.is_none() {
            warnings.push(Warning {
                line: block.line,
                message: format!("question {number} has no sample answer (\"Answer Example: …\")"),
            });
        }
    }
    let talking_points = guidance
        .as_ref()
        .map(|(_, g)| talking_points::extract(g))
        .unwrap_or_default();
    if let Some((line, _)) = guidance.as_ref().filter(|_| talking_points.is_empty()) {
        warnings.push(Warning {
            line: *line,
            message: format!(
                "question {number}'s guidance has no \"In your answer, …\" sentence, so no talking points"
            ),
        });
    }
    let guidance = guidance.map(|(_, g)| g).unwrap_or_default();
    let sample_answer = answer.map(|(_, a)| a).unwrap_or_default();
    let block_text = [text.as_str(), guidance.as_str(), sample_answer.as_str()].join("\n");
    Question {
        id: slug::question_id(&text, &format!("q{number}")),
        aliases: aliases::for_block(&block_text, definitions),
        text,
        guidance,
        talking_points,
        target_s: None,
        sample_answer,
        // Pages carry no follow-ups; interviewers write their own.
        follow_ups: Vec::new(),
    }
}
