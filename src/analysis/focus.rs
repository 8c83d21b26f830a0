//! A session's three things to work on: the most useful, specific
//! observations across its answers, taken from their metrics ("3 of 4
//! answers ended before the 1:00 target", "“trade-offs” missed in 2
//! answers", "answer 3: 9 fillers a minute"), never generic advice.
//!
//! Each kind of observation is scored by how much it would change the next
//! session (how many answers it touches and how far off they are); the
//! three best of different kinds are kept, most useful first.

use super::length::LengthVerdict;
use super::pace::{PaceVerdict, FAST_WPM, SLOW_WPM};
use super::star::StarPart;
use super::AnswerMetrics;
use crate::units::clock;

/// How many observations a session gets.
pub(crate) const THINGS: usize = 3;

/// One answer as the observations see it.
pub(crate) struct Answered<'a> {
    /// Its number in the bank.
    pub(crate) number: usize,
    pub(crate) metrics: &'a AnswerMetrics,
}

/// Fillers a minute above which a coach would say so.
const FILLERS_PER_MINUTE: f64 = 4.0;
/// Seconds before the first word, or of one pause, that a listener notices.
const LONG_SILENCE_S: f64 = 5.0;

/// The (up to) three things to work on, most useful first.
pub(crate) fn three_things(answers: &[Answered]) -> Vec<String> {
    let spoken: Vec<&Answered> = answers.iter().filter(|a| !a.metrics.no_speech).collect();
    if spoken.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(f64, String)> = [
        missed_points(&spoken),
        negated_points(&spoken),
        star_parts(&spoken),
        length(&spoken, LengthVerdict::Short),
        length(&spoken, LengthVerdict::Long),
        pace(&spoken),
        fillers(&spoken),
        silences(&spoken),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Most useful first; equal scores keep the order above.
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found
        .into_iter()
        .take(THINGS)
        .map(|(_, line)| line)
        .collect()
}

fn answers_word(n: usize) -> &'static str {
    if n == 1 {
        "answer"
    } else {
        "answers"
    }
}

/// "1, 3 and 4".
fn numbers(answers: &[&&Answered]) -> String {
    let numbers: Vec<String> = answers.iter().map(|a| a.number.to_string()).collect();
    match numbers.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => numbers.join(""),
    }
}

/// Talking points missed: the same point missed in several answers, else
/// the answer that missed the most.
fn missed_points(spoken: &[&Answered]) -> Option<(f64, String)> {
    let total: usize = spoken.iter().map(|a| a.metrics.talking_points.len()).sum();
    let missed: usize = spoken
        .iter()
        .map(|a| {
            a.metrics
                .talking_points
                .iter()
                .filter(|p| !p.covered)
                .count()
        })
        .sum();
    if total == 0 || missed == 0 {
        return None;
    }
    let share = missed as f64 / total as f64;
    // The same wording missed more than once ("the outcome", "trade-offs").
    let mut repeated: Vec<(String, usize)> = Vec::new();
    for answer in spoken {
        for point in answer.metrics.talking_points.iter().filter(|p| !p.covered) {
            let key = point.point.to_lowercase();
            match repeated.iter_mut().find(|(seen, _)| *seen == key) {
                Some((_, n)) => *n += 1,
                None => repeated.push((key, 1)),
            }
        }
    }
    repeated.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    if let Some((point, n)) = repeated.first().filter(|(_, n)| *n >= 2) {
        let which: Vec<&&Answered> = spoken
            .iter()
            .filter(|a| {
                a.metrics
                    .talking_points
                    .iter()
                    .any(|p| !p.covered && p.point.to_lowercase() == *point)
            })
            .collect();
        return Some((
            4.0 * share + 0.5,
            format!("“{point}” missed in {n} answers ({})", numbers(&which)),
        ));
    }
    let worst = spoken
        .iter()
        .filter(|a| !a.metrics.talking_points.is_empty())
        .max_by(|a, b| missed_share(a.metrics).total_cmp(&missed_share(b.metrics)))?;
    let names: Vec<&str> = worst
        .metrics
        .talking_points
        .iter()
        .filter(|p| !p.covered)
        .map(|p| p.point.as_str())
        .collect();
    let (covered, all) = worst.metrics.points_covered();
    Some((
        4.0 * share,
        format!(
            "answer {}: {covered} of {all} talking points; missed {}",
            worst.number,
            names.join(", ")
        ),
    ))
}

fn missed_share(metrics: &AnswerMetrics) -> f64 {
    let (covered, total) = metrics.points_covered();
    1.0 - covered as f64 / total.max(1) as f64
}

/// A point named and then disowned ("we didn't have circuit breakers").
fn negated_points(spoken: &[&Answered]) -> Option<(f64, String)> {
    let mut cases: Vec<(usize, &str, &str)> = Vec::new();
    for answer in spoken {
        for point in &answer.metrics.talking_points {
            if let (false, Some(said)) = (point.covered, point.negated.as_deref()) {
                cases.push((answer.number, point.point.as_str(), said));
            }
        }
    }
    let (number, point, said) = *cases.first()?;
    let more = match cases.len() {
        1 => String::new(),
        n => format!(" ({} more like it)", n - 1),
    };
    Some((
        2.0 + 0.5 * cases.len() as f64,
        format!("answer {number}: “{said}” names {point} but does not say how it was done{more}"),
    ))
}

/// STAR parts missing from the stories.
fn star_parts(spoken: &[&Answered]) -> Option<(f64, String)> {
    let stories: Vec<&&Answered> = spoken.iter().filter(|a| a.metrics.star.is_some()).collect();
    if stories.is_empty() {
        return None;
    }
    let mut best: Option<(StarPart, Vec<&&Answered>)> = None;
    for part in StarPart::ALL {
        let without: Vec<&&Answered> = stories
            .iter()
            .copied()
            .filter(|a| a.metrics.star.as_ref().is_some_and(|star| !star.has(part)))
            .collect();
        if !without.is_empty() && best.as_ref().is_none_or(|(_, b)| without.len() > b.len()) {
            best = Some((part, without));
        }
    }
    let (part, without) = best?;
    let line = if stories.len() == 1 {
        format!(
            "answer {}: the story has no {} ({})",
            without[0].number,
            part.name(),
            part.hint()
        )
    } else {
        format!(
            "{} of {} stories had no {} (answers {})",
            without.len(),
            stories.len(),
            part.name(),
            numbers(&without)
        )
    };
    Some((3.0 * without.len() as f64 / stories.len() as f64, line))
}

/// Answers shorter (or longer) than their target.
fn length(spoken: &[&Answered], verdict: LengthVerdict) -> Option<(f64, String)> {
    let off: Vec<&&Answered> = spoken
        .iter()
        .filter(|a| a.metrics.length.verdict == verdict)
        .collect();
    if off.is_empty() {
        return None;
    }
    let bound = |a: &Answered| {
        let [min, max] = a.metrics.length.target_s;
        if verdict == LengthVerdict::Short {
            min
        } else {
            max
        }
    };
    let same_target = off.iter().all(|a| bound(a) == bound(off[0]));
    let target = if same_target {
        format!("the {} target", clock(f64::from(bound(off[0]))))
    } else {
        "their target".to_string()
    };
    let (verb, n) = if verdict == LengthVerdict::Short {
        ("ended before", off.len())
    } else {
        ("ran past", off.len())
    };
    let line = if spoken.len() == 1 || n == 1 {
        let a = off[0];
        format!(
            "answer {}: {} spoken, {verb} {target}",
            a.number,
            clock(a.metrics.length.spoken_s)
        )
    } else {
        format!("{n} of {} answers {verb} {target}", spoken.len())
    };
    Some((3.0 * n as f64 / spoken.len() as f64, line))
}

/// The answer whose pace is furthest out of the comfortable band.
fn pace(spoken: &[&Answered]) -> Option<(f64, String)> {
    let (answer, wpm, verdict) = spoken
        .iter()
        .filter_map(|a| {
            let wpm = a.metrics.pace.wpm?;
            let verdict = a.metrics.pace.verdict?;
            (verdict != PaceVerdict::Good).then_some((a, wpm, verdict))
        })
        .max_by(|a, b| pace_distance(a.1).total_cmp(&pace_distance(b.1)))?;
    let others = spoken
        .iter()
        .filter(|a| a.metrics.pace.verdict == Some(verdict))
        .count()
        - 1;
    let more = match others {
        0 => String::new(),
        n => format!("; {n} more {} {}", answers_word(n), verdict.describe()),
    };
    Some((
        1.0 + pace_distance(wpm) / 20.0,
        format!(
            "answer {}: {wpm:.0} words a minute, {} (aim for {SLOW_WPM:.0}–{FAST_WPM:.0}){more}",
            answer.number,
            verdict.describe()
        ),
    ))
}

fn pace_distance(wpm: f64) -> f64 {
    (SLOW_WPM - wpm).max(wpm - FAST_WPM).max(0.0)
}

/// The answer with the most fillers a minute, when that is noticeable.
fn fillers(spoken: &[&Answered]) -> Option<(f64, String)> {
    let (answer, rate) = spoken
        .iter()
        .filter(|a| a.metrics.length.spoken_s >= 10.0)
        .map(|a| {
            let minutes = a.metrics.length.spoken_s / 60.0;
            (a, a.metrics.delivery.fillers_at_least as f64 / minutes)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    if rate < FILLERS_PER_MINUTE {
        return None;
    }
    let mut most: Vec<&super::delivery::FillerCount> =
        answer.metrics.delivery.fillers.iter().collect();
    most.sort_by_key(|f| std::cmp::Reverse(f.count));
    let most: Vec<String> = most
        .into_iter()
        .take(3)
        .map(|f| format!("“{}” {}", f.filler, f.count))
        .collect();
    Some((
        rate / FILLERS_PER_MINUTE,
        format!(
            "answer {}: {rate:.0} fillers a minute ({})",
            answer.number,
            most.join(", ")
        ),
    ))
}

/// A long wait before the first word, or a long pause.
fn silences(spoken: &[&Answered]) -> Option<(f64, String)> {
    let first = spoken
        .iter()
        .filter_map(|a| Some((a, a.metrics.delivery.first_word_s?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, s)| *s >= LONG_SILENCE_S);
    let pause = spoken
        .iter()
        .filter_map(|a| Some((a, a.metrics.delivery.longest_pause_s?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, s)| *s >= LONG_SILENCE_S);
    match (first, pause) {
        (Some((a, s)), _) => Some((
            s / LONG_SILENCE_S,
            format!(
                "answer {}: {s:.0} s of silence before the first word",
                a.number
            ),
        )),
        (None, Some((a, s))) => Some((
            0.8 * s / LONG_SILENCE_S,
            format!("answer {}: a {s:.0} s pause in the middle", a.number),
        )),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::bank;
    use crate::stt::transcript::{Segment, Transcript};

    /// Metrics of `text` spoken over `seconds` as the answer to built-in
    /// question `number`.
    fn metrics(number: usize, text: &str, seconds: f64) -> AnswerMetrics {
        let bank = bank::load("platform-engineer").unwrap();
        let (_, question) = bank.question(&number.to_string()).unwrap();
        let transcript = Transcript {
            duration_s: seconds + 1.0,
            text: text.to_string(),
            segments: vec![Segment {
                start_s: 0.5,
                end_s: seconds + 0.5,
                text: text.to_string(),
            }],
            no_speech: text.is_empty(),
            processing_s: 0.0,
            repairs: Vec::new(),
            gaps: Vec::new(),
        };
        analyse(question, bank.target_for(question), &transcript, None, None)
    }

    fn things(answers: &[(usize, &AnswerMetrics)]) -> Vec<String> {
        let answered: Vec<Answered> = answers
            .iter()
            .map(|&(number, metrics)| Answered { number, metrics })
            .collect();
        three_things(&answered)
    }

    #[test]
    fn short_answers_fast_pace_and_fillers_are_named_with_numbers() {
        let short = "We moved from Jenkins to GitHub Actions and builds got faster.";
        let a = metrics(4, short, 4.0);
        let b = metrics(5, short, 4.0);
        let fillers = "um so um like you know um basically um like um so we um ".repeat(8);
        let c = metrics(6, &fillers, 70.0);
        let lines = things(&[(4, &a), (5, &b), (6, &c)]);
        assert_eq!(lines.len(), THINGS, "{lines:#?}");
        assert!(
            lines.contains(&"2 of 3 answers ended before the 1:00 target".to_string()),
            "{lines:#?}"
        );
        let filler_line = lines
            .iter()
            .find(|line| line.starts_with("answer 6: "))
            .expect("the filler line");
        assert!(
            filler_line.contains("fillers a minute (“um” "),
            "{filler_line}"
        );
        // Specific observations only: every line names answers or counts.
        for line in &lines {
            assert!(line.chars().any(|c| c.is_ascii_digit()), "{line}");
        }
    }

    #[test]
    fn the_same_point_missed_twice_is_one_observation() {
        let answer = "We run everything on one big server and it mostly works fine for us.";
        let a = metrics(2, answer, 70.0);
        let b = metrics(2, answer, 70.0);
        let lines = things(&[(2, &a), (3, &b)]);
        assert!(
            lines
                .iter()
                .any(|line| line
                    .starts_with("“quantify improvements” missed in 2 answers (2 and 3)")),
            "{lines:#?}"
        );
    }

    #[test]
    fn a_negated_point_is_quoted() {
        let answer = "We rebuilt the pipeline on GitHub Actions. We didn't measure the \
                      improvements, so I don't have numbers.";
        let m = metrics(2, answer, 8.0);
        let point = m
            .talking_points
            .iter()
            .find(|p| p.point == "quantify improvements")
            .unwrap();
        assert!(!point.covered, "{point:?}");
        assert!(point.negated.is_some(), "{point:?}");
        let answered = Answered {
            number: 4,
            metrics: &m,
        };
        let (_, line) = negated_points(&[&answered]).expect("the negated point");
        assert_eq!(
            line,
            "answer 4: “We didn't measure the improvements, so I don't have numbers” names \
             quantify improvements but does not say how it was done"
        );
    }

    #[test]
    fn nothing_to_say_without_speech() {
        let silent = metrics(2, "", 3.0);
        assert!(things(&[(1, &silent)]).is_empty());
        assert!(things(&[]).is_empty());
    }
}
