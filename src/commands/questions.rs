//! `viva questions [list|show ID|N] [--bank B]`: browse a bank.
//!
//! Widths: on a terminal, `list` cuts each line to the terminal's width and
//! `show` wraps to it (at most 100 columns, for readability). When standard
//! output is not a terminal, `list` prints whole lines (for grep and scripts)
//! and `show` wraps at 80 columns, so the output does not depend on where it
//! is run.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::bank::{self, Bank, Question};
use crate::cli::{QuestionsAction, QuestionsArgs};

/// `show` never wraps wider than this, however wide the terminal.
const MAX_SHOW_WIDTH: usize = 100;
/// `show`'s width when standard output is not a terminal.
const PIPE_SHOW_WIDTH: usize = 80;

pub(crate) fn run(args: QuestionsArgs) -> anyhow::Result<ExitCode> {
    let bank = bank::load(&args.bank.bank)?;
    let terminal_width = terminal_width();
    let text = match args.action.unwrap_or(QuestionsAction::List) {
        QuestionsAction::List => list(&bank, terminal_width),
        QuestionsAction::Show { question } => {
            let (number, found) = bank.question(&question).with_context(|| {
                format!(
                    "no question '{question}' in bank '{}': give a number 1..{} or an id from `viva questions list`",
                    bank.id,
                    bank.questions.len()
                )
            })?;
            let width = terminal_width.map_or(PIPE_SHOW_WIDTH, |w| w.min(MAX_SHOW_WIDTH));
            show(&bank, number, found, width)
        }
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
}

/// Columns of the terminal on standard output; `None` when it is not one.
fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(columns, _)| usize::from(columns))
        .filter(|&columns| columns > 0)
}

/// One line per question: number, id, text; cut to `width` when given.
pub(crate) fn list(bank: &Bank, width: Option<usize>) -> String {
    let number_width = bank.questions.len().to_string().len();
    let id_width = bank
        .questions
        .iter()
        .map(|q| q.id.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (index, question) in bank.questions.iter().enumerate() {
        let line = format!(
            "{:>number_width$}  {:<id_width$}  {}",
            index + 1,
            question.id,
            question.text
        );
        out.push_str(&match width {
            Some(width) => cut(&line, width),
            None => line,
        });
        out.push('\n');
    }
    out
}

/// `line` cut to `width` display columns, ending in "…" when cut.
fn cut(line: &str, width: usize) -> String {
    if textwrap::core::display_width(line) <= width {
        return line.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let c_width = textwrap::core::display_width(c.encode_utf8(&mut [0; 4]));
        if used + c_width + 1 > width {
            break;
        }
        used += c_width;
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// A question with its guidance, talking points, aliases and sample answer,
/// wrapped to `width`.
pub(crate) fn show(bank: &Bank, number: usize, question: &Question, width: usize) -> String {
    let indent = "  ";
    let body = textwrap::Options::new(width)
        .initial_indent(indent)
        .subsequent_indent(indent);
    let bullet = textwrap::Options::new(width)
        .initial_indent("  - ")
        .subsequent_indent("    ");
    let wrap = |text: &str, options: &textwrap::Options| textwrap::fill(text, options) + "\n";

    let mut out = format!(
        "Question {number} of {} · {} · bank {}\n",
        bank.questions.len(),
        question.id,
        bank.id
    );
    out += &wrap(&question.text, &textwrap::Options::new(width));

    out += "\nWhy employers ask\n";
    out += &or_none(&question.guidance, |g| wrap(g, &body));

    out += "\nTalking points\n";
    if question.talking_points.is_empty() {
        out += "  (none)\n";
    }
    for point in &question.talking_points {
        out += &wrap(point, &bullet);
    }

    if !question.follow_ups.is_empty() {
        out += "\nFollow-up questions (asked when an answer misses the point)\n";
        for follow_up in &question.follow_ups {
            out += &wrap(&format!("{}: {}", follow_up.point, follow_up.text), &bullet);
        }
    }

    out += "\nSample answer\n";
    out += &or_none(&question.sample_answer, |a| {
        a.split('\n')
            .map(|paragraph| wrap(paragraph, &body))
            .collect()
    });

    if !question.aliases.is_empty() {
        out += "\nSpoken forms\n";
        for (term, forms) in &question.aliases {
            out += &wrap(&format!("{term}: {}", forms.join("; ")), &bullet);
        }
    }
    let [min, max] = bank.target_for(question);
    out += &format!("\nTarget length: {min}–{max} s\n");
    out
}

fn or_none(text: &str, render: impl FnOnce(&str) -> String) -> String {
    if text.trim().is_empty() {
        "  (none)\n".to_string()
    } else {
        render(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_short_lines_and_marks_cut_ones() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abc def", 5), "abc…");
        assert_eq!(cut("I’d say", 4), "I’d…");
        assert_eq!(cut("abc", 0), "…");
    }

    #[test]
    fn list_aligns_ids_and_cuts_only_when_asked() {
        let bank = bank::builtin("platform-engineer")
            .map(|text| bank::parse(text, "platform-engineer").unwrap())
            .unwrap();
        let full = list(&bank, None);
        assert_eq!(full.lines().count(), 24);
        let narrow = list(&bank, Some(60));
        assert!(narrow
            .lines()
            .all(|l| textwrap::core::display_width(l) <= 60));
        assert!(narrow.lines().next().unwrap().ends_with('…'));
    }
}
