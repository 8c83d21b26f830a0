//! Writes a bank as TOML in one fixed layout: bank fields first, then one
//! `[[questions]]` table per question with its fields in a fixed order, one
//! talking point per line, aliases as an inline table and one follow-up per
//! line.
//!
//! The layout is ours (not the `toml` crate's pretty printer) so that a bank
//! file reads well, diffs well, and `viva bank import` of the same page always
//! gives the same bytes: the built-in bank is exactly such an import.

use std::fmt::Write as _;

use super::Bank;

/// The header comment of every written bank.
const HEADER: &str = "\
# A viva question bank. Questions are numbered 1..N in this order; a question
# is chosen by its number or its id. After editing, run `viva bank check FILE`.
";

impl Bank {
    /// The bank as TOML text, in viva's layout.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(HEADER);
        field(&mut out, "id", &self.id);
        field(&mut out, "title", &self.title);
        field(&mut out, "role", &self.role);
        if let Some(target) = self.target_s {
            target_line(&mut out, target);
        }
        for (index, question) in self.questions.iter().enumerate() {
            let _ = write!(out, "\n# Question {}\n[[questions]]\n", index + 1);
            field(&mut out, "id", &question.id);
            field(&mut out, "text", &question.text);
            field(&mut out, "guidance", &question.guidance);
            out.push_str("talking_points = [\n");
            for point in &question.talking_points {
                let _ = writeln!(out, "    {},", string(point));
            }
            out.push_str("]\n");
            if !question.aliases.is_empty() {
                let entries: Vec<String> = question
                    .aliases
                    .iter()
                    .map(|(term, spoken)| {
                        let forms: Vec<String> = spoken.iter().map(|s| string(s)).collect();
                        format!("{} = [{}]", key(term), forms.join(", "))
                    })
                    .collect();
                let _ = writeln!(out, "aliases = {{ {} }}", entries.join(", "));
            }
            if let Some(target) = question.target_s {
                target_line(&mut out, target);
            }
            field(&mut out, "sample_answer", &question.sample_answer);
            if !question.follow_ups.is_empty() {
                out.push_str("follow_ups = [\n");
                for follow_up in &question.follow_ups {
                    let _ = writeln!(
                        out,
                        "    {{ point = {}, text = {} }},",
                        string(&follow_up.point),
                        string(&follow_up.text)
                    );
                }
                out.push_str("]\n");
            }
        }
        out
    }
}

fn field(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(out, "{name} = {}", string(value));
}

fn target_line(out: &mut String, [min, max]: [u32; 2]) {
    let _ = writeln!(out, "target_s = [{min}, {max}]");
}

/// A TOML basic string: `"…"` with `\`, `"` and control characters escaped;
/// everything else (curly quotes, dashes) is kept as written.
fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be, quoted otherwise (`"CI/CD"`).
fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        name.to_string()
    } else {
        string(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_quotes_backslashes_and_controls_only() {
        assert_eq!(string("I’d say \"hi\""), r#""I’d say \"hi\"""#);
        assert_eq!(string("a\\b\nc\u{7}"), r#""a\\b\nc\u0007""#);
    }

    #[test]
    fn keys_are_quoted_only_when_needed() {
        assert_eq!(key("IRSA"), "IRSA");
        assert_eq!(key("CI/CD"), "\"CI/CD\"");
        assert_eq!(key(""), "\"\"");
    }
}
