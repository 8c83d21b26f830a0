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

/// Hesitations: left out of the scored words (Whisper mostly drops them,
/// and WER is scored without them), counted on their own.
pub const FILLERS: &[&str] = &[
    "um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm",
];

/// The words a benchmark scores: [`words`], with `%` read as "percent",
/// numbers in words as digits ("twenty five" → "25") and fillers left out,
/// so that how a number is written or whether an "um" was kept does not
/// count as an error.
pub fn scored_words(text: &str) -> Vec<String> {
    let words = words(&text.replace('%', " percent"));
    let words: Vec<String> = words
        .into_iter()
        .filter(|word| !FILLERS.contains(&word.as_str()))
        .collect();
    numbers_as_digits(&words)
}

/// Word errors of [`scored_words`].
pub fn scored_errors(reference: &str, hypothesis: &str) -> WordErrors {
    errors_between(&scored_words(reference), &scored_words(hypothesis))
}

/// How many fillers a text holds.
pub fn filler_count(text: &str) -> usize {
    words(text)
        .iter()
        .filter(|word| FILLERS.contains(&word.as_str()))
        .count()
}

fn number_value(word: &str) -> Option<u64> {
    const SMALL: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: &[&str] = &[
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    SMALL
        .iter()
        .position(|w| *w == word)
        .map(|n| n as u64)
        .or_else(|| {
            TENS.iter()
                .position(|w| *w == word)
                .map(|n| 20 + 10 * n as u64)
        })
}

/// Runs of number words as digits: a compound number ("one hundred and
/// twenty five") as one word, and digits read one by one ("two nine three")
/// as one word of digits, the way Whisper writes them.
fn numbers_as_digits(words: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let Some((value, used)) = compound_number(&words[i..]).or_else(|| digit(&words[i])) else {
            out.push(words[i].clone());
            i += 1;
            continue;
        };
        i += used;
        let mut digits = value.to_string();
        // Single digits said (or written) one after another form one number.
        if value < 10 {
            while let Some(next) = words.get(i).and_then(|word| single_digit(word)) {
                digits.push_str(&next.to_string());
                i += 1;
            }
        }
        out.push(digits);
    }
    out
}

/// A digit written as one: "7".
fn digit(word: &str) -> Option<(u64, usize)> {
    let value = word.parse::<u64>().ok().filter(|_| word.len() == 1)?;
    Some((value, 1))
}

/// A digit, said ("seven") or written ("7").
fn single_digit(word: &str) -> Option<u64> {
    number_value(word)
        .filter(|value| *value < 10)
        .or_else(|| digit(word).map(|(value, _)| value))
}

/// The number the words at the start of `words` say, and how many words it
/// takes: units, a tens word and a unit, hundreds, thousands, millions.
fn compound_number(words: &[String]) -> Option<(u64, usize)> {
    let (mut total, mut current, mut used) = (0u64, None::<u64>, 0usize);
    while used < words.len() {
        let word = words[used].as_str();
        match (number_value(word), current) {
            (Some(value), None) => current = Some(value),
            // "twenty five"
            (Some(value), Some(tens)) if value < 10 && tens >= 20 && tens % 10 == 0 => {
                current = Some(tens + value)
            }
            // "hundred and five", "thousand twenty"
            (Some(value), Some(0)) if total > 0 => current = Some(value),
            (Some(_), Some(_)) => break,
            (None, Some(value)) if word == "hundred" => current = Some(value * 100),
            (None, Some(value)) if word == "thousand" || word == "million" => {
                total += value * if word == "thousand" { 1_000 } else { 1_000_000 };
                current = Some(0);
            }
            (None, Some(value))
                if word == "and"
                    && value >= 100
                    && words.get(used + 1).and_then(|w| number_value(w)).is_some() =>
            {
                total += value;
                current = Some(0);
            }
            _ => break,
        }
        used += 1;
    }
    current.map(|value| (total + value, used))
}

/// Word edits that turn `reference` into `hypothesis` (a minimal alignment).
pub fn word_errors(reference: &str, hypothesis: &str) -> WordErrors {
    errors_between(&words(reference), &words(hypothesis))
}

/// Word edits between two normalised word lists.
fn errors_between(reference: &[String], hypothesis: &[String]) -> WordErrors {
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
    #[test]
    fn digits_written_one_by_one_are_one_number() {
        assert_eq!(super::scored_words("Two nine three four zero."), ["29340"]);
        assert_eq!(super::scored_words("2 9 3 4 0"), ["29340"]);
        assert_eq!(
            super::scored_words("from 25 to 10"),
            ["from", "25", "to", "10"]
        );
    }

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
    fn scoring_reads_numbers_and_percent_and_leaves_fillers_out() {
        assert_eq!(
            scored_words("Um, builds went from twenty five minutes to, uh, 10, thirty %."),
            ["builds", "went", "from", "25", "minutes", "to", "10", "30", "percent"]
        );
        assert_eq!(scored_words("one hundred and five"), ["105"]);
        assert_eq!(scored_words("two thousand three hundred"), ["2300"]);
        assert_eq!(scored_words("one and all"), ["1", "and", "all"]);
        assert_eq!(scored_words("two nine three four zero"), ["29340"]);
        assert_eq!(scored_words("twenty five three"), ["25", "3"]);
        assert_eq!(
            scored_errors("cut it by 30%", "um, cut it by thirty percent").edits(),
            0
        );
        assert_eq!(filler_count("Um, so, uh, I think, umm, yes."), 3);
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
