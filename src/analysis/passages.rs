//! An answer cut into passages: the units that are embedded, matched
//! against talking points and labelled as STAR parts.
//!
//! A passage is a sentence, or a piece of a long one: spoken answers run
//! on ("… and then we …, so …"), and a 60-word sentence that covers three
//! points would match each of them only weakly as a whole. Long sentences
//! are cut at commas into pieces of [`MIN_WORDS`]..=[`MAX_WORDS`] words
//! (a piece that is still too long is cut every [`MAX_WORDS`] words).

use std::ops::Range;

use super::text::{Gap, Word, Words};

/// A passage longer than this (spoken words) is cut at commas.
pub(crate) const MAX_WORDS: usize = 25;
/// A piece shorter than this joins its neighbour.
pub(crate) const MIN_WORDS: usize = 6;

/// One passage of an answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Passage {
    /// The words as written, with their commas, e.g. "we cap them, one or two attempts".
    pub(crate) text: String,
    /// Indices into [`Words::all`].
    pub(crate) words: Range<usize>,
    /// Estimated seconds into the answer of its first word, when the
    /// transcript has times.
    pub(crate) start_s: Option<f64>,
}

/// The passages of `words`, in order.
pub(crate) fn cut(words: &Words) -> Vec<Passage> {
    cut_with(words, true)
}

/// The sentences of `words`, whole (for a sample answer, whose sentences
/// each illustrate a point).
pub(crate) fn sentences(words: &Words) -> Vec<Passage> {
    cut_with(words, false)
}

fn cut_with(words: &Words, cut_long: bool) -> Vec<Passage> {
    let all = &words.all;
    let mut passages = Vec::new();
    let mut start = 0;
    while start < all.len() {
        let end = (start + 1..all.len())
            .find(|&index| all[index].gap == Gap::Sentence)
            .unwrap_or(all.len());
        let pieces = if cut_long {
            cut_sentence(all, start..end)
        } else {
            std::iter::once(start..end).collect()
        };
        for range in pieces {
            passages.push(Passage {
                text: written(&all[range.clone()]),
                start_s: all[range.start].time_s,
                words: range,
            });
        }
        start = end;
    }
    passages
}

/// Number of words as spoken (a CamelCase name counts once).
fn spoken(words: &[Word]) -> usize {
    words.iter().filter(|word| word.is_spoken_word()).count()
}

/// One sentence (`range` of `all`) as one or more pieces.
fn cut_sentence(all: &[Word], range: Range<usize>) -> Vec<Range<usize>> {
    if spoken(&all[range.clone()]) <= MAX_WORDS {
        return vec![range];
    }
    // Pieces between commas, then joined greedily up to MAX_WORDS.
    let mut breaks: Vec<usize> = (range.start + 1..range.end)
        .filter(|&index| all[index].gap == Gap::Comma)
        .collect();
    breaks.push(range.end);
    let mut pieces: Vec<Range<usize>> = Vec::new();
    let mut current = range.start;
    let mut piece_start = range.start;
    for &next in &breaks {
        let grown = spoken(&all[piece_start..next]);
        if current > piece_start
            && grown > MAX_WORDS
            && spoken(&all[piece_start..current]) >= MIN_WORDS
        {
            pieces.push(piece_start..current);
            piece_start = current;
        }
        // A stretch with no comma for too long is cut every MAX_WORDS words.
        while spoken(&all[piece_start..next]) > MAX_WORDS + 10 {
            let cut_at = nth_spoken_end(all, piece_start, MAX_WORDS);
            pieces.push(piece_start..cut_at);
            piece_start = cut_at;
        }
        current = next;
    }
    if piece_start < range.end {
        let rest = piece_start..range.end;
        match pieces.last_mut() {
            Some(last) if spoken(&all[rest.clone()]) < MIN_WORDS => last.end = rest.end,
            _ => pieces.push(rest),
        }
    }
    pieces
}

/// The index just past the `n`th spoken word from `start`.
fn nth_spoken_end(all: &[Word], start: usize, n: usize) -> usize {
    let mut seen = 0;
    for (index, word) in all.iter().enumerate().skip(start) {
        if word.is_spoken_word() {
            if seen == n {
                return index;
            }
            seen += 1;
        }
    }
    all.len()
}

/// Words joined as written, with a comma where the text had one.
pub(crate) fn written(words: &[Word]) -> String {
    let mut text = String::new();
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            text.push_str(match word.gap {
                Gap::Camel => "",
                Gap::Hyphen => "-",
                Gap::Slash => "/",
                Gap::Comma => ", ",
                Gap::Sentence => ". ",
                Gap::Space => " ",
            });
        }
        text.push_str(&word.text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        cut(&Words::from_text(text))
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn sentences_are_passages() {
        assert_eq!(texts(""), Vec::<String>::new());
        assert_eq!(
            texts("We use Argo CD. Builds went from forty minutes to twelve! Why?"),
            [
                "We use Argo CD",
                "Builds went from forty minutes to twelve",
                "Why"
            ]
        );
        assert_eq!(
            texts("CI/CD, multi-tenant NetworkPolicies"),
            ["CI/CD, multi-tenant NetworkPolicies"]
        );
    }

    #[test]
    fn long_sentences_are_cut_at_commas() {
        let long =
            "So the first thing is nobody waits forever, every call to another service has a \
                    deadline, and it has to be shorter than the deadline of whoever called us, \
                    otherwise threads just pile up behind one slow dependency.";
        let pieces = texts(long);
        assert_eq!(
            pieces,
            [
                "So the first thing is nobody waits forever, every call to another service has a deadline",
                "and it has to be shorter than the deadline of whoever called us, otherwise threads just pile up behind one slow dependency",
            ]
        );
        for piece in &pieces {
            assert!(piece.split_whitespace().count() <= MAX_WORDS);
        }
    }

    #[test]
    fn a_long_run_without_commas_is_cut_by_length() {
        let run = vec!["word"; 80].join(" ");
        let pieces = texts(&run);
        assert!(pieces.len() >= 3, "{pieces:?}");
        let total: usize = pieces.iter().map(|p| p.split_whitespace().count()).sum();
        assert_eq!(total, 80);
    }

    #[test]
    fn passages_carry_their_start_time() {
        use crate::stt::transcript::Segment;
        let words = Words::from_segments(&[
            Segment {
                start_s: 0.0,
                end_s: 2.0,
                text: "First part.".into(),
            },
            Segment {
                start_s: 5.0,
                end_s: 8.0,
                text: "Second part.".into(),
            },
        ]);
        let starts: Vec<Option<f64>> = cut(&words).iter().map(|p| p.start_s).collect();
        assert_eq!(starts, [Some(0.0), Some(5.0)]);
    }
}
