//! Word error rate: how far a transcript is from the words really spoken, as
//! (substitutions + deletions + insertions) / words in the reference. Used by
//! the transcription tests and the benchmark to hold accuracy to a number.
//!
//! Both texts are normalised first, the way WER is usually scored: lower
//! case, punctuation dropped, hyphenated words split, apostrophes removed (so
//! "it's" and "its" agree), since Whisper's punctuation is not what is judged.

use std::ops::AddAssign;

/// Edit counts of a hypothesis against a reference; add them up over many
/// clips and take [`WordErrors::rate`] for a corpus WER.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordErrors {
    pub substitutions: usize,
    pub deletions: usize,
    pub insertions: usize,
    /// Words in the reference.
    pub reference_words: usize,
}

impl WordErrors {
    /// Total edits.
    pub fn edits(&self) -> usize {
        self.substitutions + self.deletions + self.insertions
    }

    /// Edits per reference word (0 for an empty reference matched exactly;
    /// an empty reference with insertions counts each as a full error).
    pub fn rate(&self) -> f64 {
        if self.reference_words == 0 {
            return self.edits() as f64;
        }
        self.edits() as f64 / self.reference_words as f64
    }
}

impl AddAssign for WordErrors {
    fn add_assign(&mut self, other: Self) {
        self.substitutions += other.substitutions;
        self.deletions += other.deletions;
        self.insertions += other.insertions;
        self.reference_words += other.reference_words;
    }
}

/// The normalised words of a text.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '—' || c == '–' || c == '/')
        .map(|word| {
            word.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect()
}

/// Word edits that turn `reference` into `hypothesis` (a minimal alignment).
pub fn word_errors(reference: &str, hypothesis: &str) -> WordErrors {
    let reference = words(reference);
    let hypothesis = words(hypothesis);
    // cost[j]: the best alignment of the reference so far with hypothesis[..j],
    // as (edits, substitutions, deletions, insertions). Only the total of
    // edits is minimised; among equal totals the tuple order picks one
    // deterministically.
    type Cell = (usize, usize, usize, usize);
    let mut row: Vec<Cell> = (0..=hypothesis.len()).map(|j| (j, 0, 0, j)).collect();
    for (i, ref_word) in reference.iter().enumerate() {
        let mut next: Vec<Cell> = Vec::with_capacity(row.len());
        next.push((i + 1, 0, i + 1, 0));
        for (j, hyp_word) in hypothesis.iter().enumerate() {
            let diagonal = row[j];
            let matched = if ref_word == hyp_word {
                diagonal
            } else {
                (diagonal.0 + 1, diagonal.1 + 1, diagonal.2, diagonal.3)
            };
            let up = row[j + 1];
            let deleted = (up.0 + 1, up.1, up.2 + 1, up.3);
            let left = next[j];
            let inserted = (left.0 + 1, left.1, left.2, left.3 + 1);
            next.push(matched.min(deleted).min(inserted));
        }
        row = next;
    }
    let (_, substitutions, deletions, insertions) = row[hypothesis.len()];
    WordErrors {
        substitutions,
        deletions,
        insertions,
        reference_words: reference.len(),
    }
}

/// The word error rate of one hypothesis.
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    word_errors(reference, hypothesis).rate()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_ignores_case_punctuation_and_apostrophes() {
        assert_eq!(
            words("It's a Blue-Green deploy, isn't it?  CI/CD."),
            ["its", "a", "blue", "green", "deploy", "isnt", "it", "ci", "cd"]
        );
        assert!(words(" ... !").is_empty());
    }

    #[track_caller]
    fn case(reference: &str, hypothesis: &str, s: usize, d: usize, i: usize) {
        let errors = word_errors(reference, hypothesis);
        assert_eq!(
            (errors.substitutions, errors.deletions, errors.insertions),
            (s, d, i),
            "{reference:?} vs {hypothesis:?}"
        );
    }

    #[test]
    fn counts_each_kind_of_edit() {
        case("the cat sat", "the cat sat", 0, 0, 0);
        case("the cat sat", "The cat sat.", 0, 0, 0);
        case("the cat sat", "the bat sat", 1, 0, 0);
        case("the cat sat", "the sat", 0, 1, 0);
        case("the cat sat", "the cat sat down", 0, 0, 1);
        case("the cat sat on the mat", "a cat sat the mat today", 1, 1, 1);
        case("", "thank you", 0, 0, 2);
        case("hello world", "", 0, 2, 0);
    }

    #[test]
    fn rate_is_edits_per_reference_word() {
        assert_eq!(wer("one two three four", "one two three four"), 0.0);
        assert_eq!(wer("one two three four", "one too three"), 0.5);
        assert_eq!(wer("", ""), 0.0);
        assert_eq!(wer("", "you"), 1.0);
    }

    #[test]
    fn errors_add_up_over_clips() {
        let mut total = word_errors("a b c d", "a b c d");
        total += word_errors("a b c d e f", "a x c d e");
        assert_eq!(total.reference_words, 10);
        assert_eq!(total.edits(), 2);
        assert_eq!(total.rate(), 0.2);
    }
}
