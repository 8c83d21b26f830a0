//! Integration tests: `viva review` (terminal, HTML, `--recompute`),
//! `viva history` and `viva practice --weakest`, on session folders made by
//! `viva practice --answers` with the real model; and the HTML page opened
//! in headless Chromium.

mod browser;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;

use crate::practice::{only_session, read_json};
use crate::util;

/// The fixtures' spoken answers.
fn speech(name: &str) -> PathBuf {
    util::repo_root()
        .join("tests/fixtures/speech")
        .join(format!("{name}.wav"))
}

/// Run `viva practice --no-tts` on `picks`, answering from `answers`
/// (question number → fixture name); questions without one are skipped.
fn practise(sessions: &Path, picks: &str, answers: &[(usize, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    for (number, fixture) in answers {
        std::fs::copy(speech(fixture), dir.path().join(format!("{number}.wav"))).unwrap();
    }
    let out = util::run(
        util::viva()
            .args(["practice", "--no-tts", "--pick", picks, "--answers"])
            .arg(dir.path())
            .arg("--sessions")
            .arg(sessions)
            .arg("--model")
            .arg(util::default_model()),
    );
    assert!(
        out.status.success(),
        "practice failed:\n{}\n{}",
        util::stdout(&out),
        util::stderr(&out)
    );
    out
}

/// One session made once for the review tests: question 1 answered with
/// the long fixture (several segments), 2 with a short one, 6 skipped. It
/// lives under the target directory, since a static is never dropped; those
/// of earlier runs are removed.
fn fixture_sessions() -> &'static Path {
    static FIXTURE: OnceLock<PathBuf> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_old_fixtures(root);
        let dir = tempfile::Builder::new()
            .prefix("review-fixture-")
            .tempdir_in(root)
            .unwrap()
            .keep();
        practise(
            &dir,
            "1,2,6",
            &[(1, "long-migration"), (2, "short-pipeline")],
        );
        dir
    })
}

/// Fixtures of earlier test runs (older than an hour: no run takes that long).
fn remove_old_fixtures(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("review-fixture-")
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A private copy of the fixture's sessions directory, and its one session.
fn fresh_sessions() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = util::temp_dir();
    let sessions = tmp.path().join("sessions");
    copy_dir(fixture_sessions(), &sessions);
    let session = only_session(&sessions);
    (tmp, sessions, session)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn review(sessions: &Path, args: &[&str]) -> Output {
    util::run(
        util::viva()
            .arg("review")
            .args(args)
            .arg("--sessions")
            .arg(sessions)
            .env_remove("COLUMNS"),
    )
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// The lines of `text` from the one starting with `from` (inclusive) up to
/// the next blank line.
fn block<'a>(text: &'a str, from: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|line| !line.starts_with(from))
        .take_while(|line| !line.is_empty())
        .collect()
}

#[test]
fn review_shows_every_answer_beside_its_sample_with_its_metrics() {
    let (_tmp, sessions, session) = fresh_sessions();
    let out = review(&sessions, &[]);
    let stdout = util::stdout(&out);
    assert!(out.status.success(), "{}", util::stderr(&out));

    let name = session.file_name().unwrap().to_string_lossy().into_owned();
    assert!(stdout.starts_with(&format!(
        "Platform Engineer Interview Questions\nsession {name}\n3 questions: 2 answered, 1 skipped · model ggml-tiny.en-q8_0.bin\n"
    )), "{stdout}");
    // Then the session's three things to work on, before the first answer.
    let head = stdout.split("━━ 1.").next().unwrap();
    assert!(
        head.contains(
            "\nThree things to work on\n  1. answer 2: 0 of 3 talking points; missed quantify improvements, name key\n     tools, explain trade-offs you made\n"
        ),
        "{head}"
    );
    assert!(
        head.contains("  3. 2 of 2 answers ended before the 1:00 target\n"),
        "{head}"
    );

    // Question 2, not a terminal: 80 columns, stacked.
    let two = stdout
        .split("━━ 2. ci-cd-pipeline ")
        .nth(1)
        .expect("question 2");
    // Whisper capitalises the first word or not, depending on what it heard before.
    assert!(
        two.to_lowercase()
            .contains("\nyour answer\n  we deploy every service"),
        "{two}"
    );
    assert!(
        two.contains("\nSample answer\n  At my last startup, I moved us from ad-hoc Jenkins jobs"),
        "{two}"
    );
    // Missed points say what would have shown them, from the sample answer.
    assert_eq!(
        block(two, "Talking points"),
        [
            "Talking points (0/3)",
            "  ✗ quantify improvements · would show: e.g. “Build times dropped from ~25",
            "    minutes to 10”",
            "  ✗ name key tools · would show: e.g. “I moved us from ad-hoc Jenkins jobs to",
            "    GitHub Actions with reusable …”",
            "  ✗ explain trade-offs you made · would show: e.g. “Build times dropped from ~25",
            "    minutes to 10”",
            "Story (STAR)",
            "  ✗ situation · missing: where and when it was, who was involved, why it",
            "      mattered",
            "  ✗ task · missing: what you were responsible for, or set out to do",
            "  ✗ action · missing: the steps you yourself took (\"I …\")",
            "  ✗ result · missing: what happened in the end, with a number if you have one",
            "Sample answer's key terms: used none; missed ad-hoc, Jenkins, GitHub Actions,",
            "  Argo Rollouts, OPA, PRs",
        ]
    );
    assert_eq!(
        block(two, "Length"),
        [
            "Length    0:04 spoken of 0:05 recorded · target 1:00–2:00 · short",
            "Pace      182 wpm · fast pace (aim for 110–170) · 12 words",
            "Delivery  fillers ≥ 0 · longest pause 0.0 s · first word after 0.3 s",
            "Verdict   short, fast pace, 0/3 points",
        ]
    );
    // The skipped question says so and shows no columns.
    let six = stdout.split("━━ 6. ").nth(1).expect("question 6");
    assert!(six.ends_with("in containers?\nskipped\n"), "{six}");
    for line in stdout.lines() {
        assert!(line.chars().count() <= 80, "wider than 80: {line:?}");
    }
}

#[test]
fn review_in_a_wide_terminal_puts_one_answer_beside_its_sample() {
    let (_tmp, sessions, _session) = fresh_sessions();
    let out = util::run(
        util::viva()
            .args(["review", "--question", "ci-cd-pipeline", "--sessions"])
            .arg(&sessions)
            .env("COLUMNS", "120"),
    );
    let stdout = util::stdout(&out);
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert!(
        stdout.contains(&format!("{:<58} │ Sample answer\n", "Your answer")),
        "{stdout}"
    );
    let row = stdout
        .lines()
        .find(|line| line.to_lowercase().starts_with("we deploy every service"))
        .expect("the answer's first line");
    assert!(row.contains(" │ At my last startup, I moved us"), "{row}");
    assert_eq!(
        stdout.matches("━━ ").count(),
        1,
        "only question 2:\n{stdout}"
    );
    assert!(stdout.contains("Verdict   short, fast pace, 0/3 points\n"));
}

#[test]
fn review_of_a_question_not_in_the_session_lists_the_ones_it_has() {
    let (_tmp, sessions, session) = fresh_sessions();
    let out = review(&sessions, &["--question", "9"]);
    assert_eq!(out.status.code(), Some(1));
    let name = session.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        util::stderr(&out),
        format!(
            "error: question '9' is not in session {name} (it has 1 secure-multi-tenant-kubernetes, 2 ci-cd-pipeline, 6 secrets-management-rotation)\n"
        )
    );
}

#[test]
fn review_without_sessions_says_how_to_make_one() {
    let tmp = util::temp_dir();
    let out = review(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        format!(
            "error: no sessions in {}: run `viva practice` first\n",
            tmp.path().display()
        )
    );
}

/// Put markup into the session's transcript and sample answer, as a hostile
/// bank or a strange transcript could.
fn inject_markup(session: &Path) {
    let path = session.join("session.json");
    let mut record = read_json(&path);
    let answer = &mut record["answers"][1];
    assert_eq!(answer["id"], "ci-cd-pipeline");
    let attack = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
    answer["segments"][0]["text"] = Value::String(format!("we said {attack}"));
    answer["text"] = Value::String(format!("we said {attack}"));
    answer["sample_answer"] = Value::String(format!("A sample {attack}"));
    write_json(&path, &record);
}

#[test]
fn review_html_writes_one_self_contained_page_with_escaped_text() {
    let (_tmp, sessions, session) = fresh_sessions();
    inject_markup(&session);
    let out = review(&sessions, &["--html"]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    let page_path = session.join("report.html");
    assert_eq!(
        util::stdout(&out),
        format!("Wrote {}\n", page_path.display())
    );
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("<img"));
    assert!(page.contains(
        "we said &lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned = 2&quot;&gt;"
    ));
    assert!(page.contains("<p>A sample &lt;script&gt;"));
    assert!(
        !page.contains("http:") && !page.contains("https:"),
        "nothing to fetch"
    );
    // Audio players for the two recorded answers, linked beside the page.
    assert_eq!(page.matches("<audio ").count(), 2);
    assert!(page.contains("src=\"01-secure-multi-tenant-kubernetes.wav\""));
    assert!(page.contains("src=\"02-ci-cd-pipeline.wav\""));
    assert!(page.contains("<svg id=\"chart-length\""));
    assert!(page.contains("<svg id=\"chart-pace\""));
    assert!(
        page.contains("<section class=\"focus\">\n<h2>Three things to work on</h2>\n<ol>\n<li>")
    );
    // No temp file left behind.
    let stray: Vec<_> = std::fs::read_dir(&session)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".viva-tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn review_html_written_elsewhere_links_the_audio_relative_to_the_page() {
    let (tmp, sessions, session) = fresh_sessions();
    let page_path = tmp.path().join("reports/week-1.html");
    let out = review(
        &sessions,
        &[
            "--html",
            "--question",
            "2",
            "-o",
            page_path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    let page = std::fs::read_to_string(&page_path).unwrap();
    let name = session.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        page.contains(&format!("src=\"../sessions/{name}/02-ci-cd-pipeline.wav\"")),
        "{page}"
    );
    assert_eq!(page.matches("<article ").count(), 1);
}

#[test]
fn recompute_restores_the_metrics_from_the_transcripts_and_recordings() {
    let (_tmp, sessions, session) = fresh_sessions();
    let path = session.join("session.json");
    let original = read_json(&path);
    // Lose the metrics everywhere, as an old viva would have left them.
    let mut stripped = original.clone();
    for answer in stripped["answers"].as_array_mut().unwrap() {
        answer["metrics"] = Value::Null;
    }
    write_json(&path, &stripped);
    let answer_path = session.join("02-ci-cd-pipeline.json");
    let mut answer = read_json(&answer_path);
    answer["metrics"] = Value::Null;
    write_json(&answer_path, &answer);

    let out = review(&sessions, &["--recompute", "--question", "2"]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(
        util::stderr(&out),
        format!(
            "Recomputed the metrics of 2 answers (analysis version {}).\n",
            viva::analysis::ANALYSIS_VERSION
        )
    );
    assert!(util::stdout(&out).contains("Verdict   short, fast pace, 0/3 points\n"));

    // The same analysis of the same transcript and audio: the same metrics,
    // with durations from the audio again.
    let recomputed = read_json(&path);
    for index in 0..3 {
        assert_eq!(
            recomputed["answers"][index]["metrics"], original["answers"][index]["metrics"],
            "answer {index}"
        );
    }
    assert_eq!(
        recomputed["answers"][1]["metrics"]["length"]["spoken_from"],
        "audio"
    );
    assert_eq!(
        read_json(&answer_path)["metrics"],
        original["answers"][1]["metrics"]
    );
    let markdown = std::fs::read_to_string(session.join("transcript.md")).unwrap();
    assert!(markdown.contains("0/3 talking points"), "{markdown}");
}

/// Replace answer 1's transcript (question secure-multi-tenant-kubernetes)
/// with `text`, spoken at 2.5 words a second in segments of 20 words.
fn set_answer_one(session: &Path, text: &str) {
    let path = session.join("session.json");
    let mut record = read_json(&path);
    let answer = &mut record["answers"][0];
    assert_eq!(answer["id"], "secure-multi-tenant-kubernetes");
    let words: Vec<&str> = text.split_whitespace().collect();
    let segments: Vec<Value> = words
        .chunks(20)
        .enumerate()
        .map(|(index, chunk)| {
            let start = 0.5 + index as f64 * 8.0;
            serde_json::json!({"start_s": start, "end_s": start + 8.0, "text": chunk.join(" ")})
        })
        .collect();
    answer["text"] = Value::String(text.to_string());
    answer["segments"] = Value::Array(segments);
    write_json(&path, &record);
}

/// The talking-point lines of question 1 in `viva review` output.
fn points_of_one(stdout: &str) -> Vec<String> {
    let one = stdout.split("━━ 1. ").nth(1).expect("question 1");
    let mut lines: Vec<String> = Vec::new();
    for line in one
        .lines()
        .skip_while(|l| !l.starts_with("Talking points"))
        .skip(1)
    {
        if let Some(rest) = line.strip_prefix("    ") {
            let last = lines.last_mut().expect("a continued line");
            last.push(' ');
            last.push_str(rest);
        } else if line.starts_with("  ✓ ") || line.starts_with("  ✗ ") {
            lines.push(line.to_string());
        } else {
            break;
        }
    }
    lines
}

/// With the real embedding model: a paraphrased answer (tests/fixtures/coverage,
/// dev part) covers points it never names, each with the words that showed it
/// and when; a negated mention ("we never got them working") is not coverage.
#[test]
fn review_judges_paraphrase_and_negation_by_meaning() {
    let (_tmp, sessions, session) = fresh_sessions();
    set_answer_one(
        &session,
        "So for a small team I'd start with one shared cluster per environment, so one for \
         staging, one for prod, rather than a cluster per team, that's too much overhead early \
         on. Each team gets its own namespace, with resource quotas so one team can't starve the \
         others, and pod security set to restricted. By default pods can't talk across \
         namespaces at all, deny-all, and then teams explicitly allow the traffic they need. Um, \
         access goes through our identity provider groups, so the payments group can deploy into \
         the payments namespace and only read elsewhere. And to keep it sane as we grow, \
         everything's in git through Argo CD, new teams get a namespace from a template, and \
         once we've got something really sensitive or noisy, that gets its own cluster.",
    );
    let out = review(&sessions, &["--recompute", "--question", "1"]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    let stdout = util::stdout(&out);
    assert!(stdout.contains("Talking points (5/5)"), "{stdout}");
    let lines = points_of_one(&stdout);
    assert_eq!(lines.len(), 5, "{lines:#?}");
    for line in &lines {
        assert!(
            line.starts_with("  ✓ ") && line.contains(" · at 0:") && line.contains(" · “"),
            "{line}"
        );
    }
    assert!(
        lines.contains(&"  ✓ network policies · at 0:22 · “By default pods can't talk across namespaces at all, deny-all, and then teams explicitly allow the traffic they need”".to_string()),
        "{lines:#?}"
    );

    set_answer_one(
        &session,
        "Um, I'd use namespaces, I think, one per team. RBAC, yeah, you'd want RBAC, \
         definitely. Network policies are important too, though honestly at my last place we \
         never got them working with our CNI, so everything could talk to everything. And, uh, \
         maintainability, I guess you'd want to document things.",
    );
    let out = review(&sessions, &["--recompute", "--question", "1"]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    let lines = points_of_one(&util::stdout(&out));
    let network = lines
        .iter()
        .find(|line| line.contains("network policies"))
        .expect("the network policies line");
    assert!(
        network.starts_with("  ✗ network policies · “Network policies are important too, though honestly at my last place we never got …” says it was not done · would show: e.g. “"),
        "{network}"
    );
    let record = read_json(&session.join("session.json"));
    let metrics = &record["answers"][0]["metrics"];
    assert_eq!(metrics["judged_by"], "meaning");
    assert_eq!(
        metrics["analysis_version"],
        viva::analysis::ANALYSIS_VERSION
    );
}

/// Without the embedding model, one line says how to get it and the
/// points are judged by words; nothing fails.
#[test]
fn recompute_without_the_embedding_model_judges_by_words_and_says_so() {
    let (tmp, sessions, session) = fresh_sessions();
    let empty = tmp.path().join("no-models");
    std::fs::create_dir_all(&empty).unwrap();
    let out = util::run(
        util::viva()
            .args(["review", "--recompute", "--question", "2", "--sessions"])
            .arg(&sessions)
            .env("VIVA_MODELS_DIR", &empty)
            .env_remove("COLUMNS"),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(
        util::stderr(&out),
        format!(
            "note: talking points are judged by words only: the embedding model is missing (run `viva model fetch`)\n\
             Recomputed the metrics of 2 answers (analysis version {}).\n",
            viva::analysis::ANALYSIS_VERSION
        )
    );
    assert!(
        util::stdout(&out).contains(
            "  (judged by words only: run `viva model fetch`, then `viva review --recompute`)\n"
        ),
        "{}",
        util::stdout(&out)
    );
    let record = read_json(&session.join("session.json"));
    assert_eq!(record["answers"][1]["metrics"]["judged_by"], "words");
}

/// The lines of `viva history` for the given question numbers.
fn history_rows<'a>(stdout: &'a str, numbers: &[&str]) -> Vec<&'a str> {
    stdout
        .lines()
        .filter(|line| {
            let number = line.split_whitespace().next().unwrap_or("");
            line.starts_with("  ") && numbers.contains(&number)
        })
        .collect()
}

#[test]
fn history_follows_questions_across_sessions_and_weakest_picks_from_it() {
    let tmp = util::temp_dir();
    let sessions = tmp.path().join("sessions");
    practise(&sessions, "2", &[(2, "short-pipeline")]);
    practise(
        &sessions,
        "5,2",
        &[(2, "short-pipeline"), (5, "short-latency")],
    );
    // A folder that is not a session, and one whose session.json is damaged.
    std::fs::create_dir_all(sessions.join("notes")).unwrap();
    let damaged = sessions.join("2000-01-01_000000-platform-engineer");
    std::fs::create_dir_all(&damaged).unwrap();
    std::fs::write(damaged.join("session.json"), "{").unwrap();

    let out = util::run(util::viva().arg("history").arg("--sessions").arg(&sessions));
    let stdout = util::stdout(&out);
    let stderr = util::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "warning: skipped {}: EOF while parsing an object at line 1 column 1\n\
             warning: skipped {} is not a viva session: it has no session.json\n",
            format_args!(
                "{} is not a viva session",
                damaged.join("session.json").display()
            ),
            sessions.join("notes").display()
        )
    );

    let mut folders: Vec<PathBuf> = std::fs::read_dir(&sessions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("session.json").is_file() && p != &damaged)
        .collect();
    folders.sort();
    let second = read_json(&folders[1].join("session.json"));
    let date = &second["started_at"].as_str().unwrap()[..10];
    let latency_spoken = second["answers"][0]["metrics"]["length"]["spoken_s"]
        .as_f64()
        .unwrap();
    let latency_clock = format!(
        "{}:{:02}",
        latency_spoken.round() as u64 / 60,
        latency_spoken.round() as u64 % 60
    );
    // The headline counts the folders it could not read.
    let headline = format!(
        "2 folders in {} could not be read (see the warnings above; `viva doctor` repairs damaged sessions).\n\n",
        sessions.display()
    );
    assert!(
        stdout.starts_with(&format!(
            "{headline}Platform Engineer Interview Questions (platform-engineer) · 2 sessions\n\
             \x20 #  question                       tries   last   best  coverage         last practised\n"
        )),
        "{stdout}"
    );
    assert_eq!(
        history_rows(&stdout, &["2", "5"]),
        [
            format!("  2  ci-cd-pipeline                     2   0:04   0:04  ▁▁ 0/3           {date}"),
            format!(
                "  5  incident-response-postmortems      1   {latency_clock:>4}   {latency_clock:>4}  ▁ 0/4            {date}"
            ),
        ]
    );
    assert!(
        stdout.ends_with(
            "\nNot practised yet: 22 of 24 questions (`viva practice --weakest N` asks the weakest first).\n"
        ),
        "{stdout}"
    );

    // One question in detail.
    let out = util::run(
        util::viva()
            .args(["history", "--question", "ci-cd-pipeline", "--sessions"])
            .arg(&sessions),
    );
    let detail = util::stdout(&out);
    assert!(out.status.success());
    let names: Vec<String> = folders
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        detail.starts_with("2. ci-cd-pipeline (platform-engineer)\n"),
        "{detail}"
    );
    assert!(
        detail.contains("2 attempts · best length 0:04 · recent coverage 0%\n"),
        "{detail}"
    );
    assert_eq!(
        detail
            .matches(&format!(
                "{date}  answered    0:04   182    0/3  short, fast pace, 0/3 points\n"
            ))
            .count(),
        2,
        "{detail}"
    );
    assert!(detail.ends_with(&format!(
        "\nSessions, oldest first: {}, {}\n",
        names[0], names[1]
    )));

    // --weakest: never-practised questions first, in bank order ...
    let weakest = |n: &str| {
        let empty = tempfile::tempdir().unwrap();
        let out = util::run(
            util::viva()
                .args(["practice", "--no-tts", "--weakest", n, "--answers"])
                .arg(empty.path())
                .arg("--sessions")
                .arg(&sessions)
                .arg("--model")
                .arg(util::default_model()),
        );
        assert!(out.status.success(), "{}", util::stderr(&out));
        util::stdout(&out)
    };
    let three = weakest("3");
    let asked: Vec<&str> = three
        .lines()
        .filter(|line| line.starts_with("Question "))
        .collect();
    assert_eq!(
        asked,
        [
            "Question 1/3 · #1 secure-multi-tenant-kubernetes",
            "Question 2/3 · #3 infrastructure-code-scalable",
            "Question 3/3 · #4 slos-customer-facing-api",
        ],
        "{three}"
    );
    // ... and last the practised ones, lowest coverage first; at equal
    // coverage the one practised fewer times (5 once, 2 twice).
    let all = weakest("24");
    let last: Vec<&str> = all
        .lines()
        .filter(|line| line.starts_with("Question 23/24") || line.starts_with("Question 24/24"))
        .collect();
    assert_eq!(
        last,
        [
            "Question 23/24 · #5 incident-response-postmortems",
            "Question 24/24 · #2 ci-cd-pipeline",
        ]
    );
}

#[test]
fn history_without_sessions_says_how_to_start() {
    let tmp = util::temp_dir();
    let out = util::run(
        util::viva()
            .arg("history")
            .arg("--sessions")
            .arg(tmp.path()),
    );
    assert!(out.status.success());
    assert_eq!(
        util::stdout(&out),
        format!(
            "No sessions in {} yet: run `viva practice` first.\n",
            tmp.path().display()
        )
    );
}

/// The review page in headless Chromium: players that load their WAVs,
/// sample answers, the chart, a click on a segment time that seeks the
/// audio, escaped text that stays text, nothing fetched from a network,
/// and a layout that fits a phone. Screenshots go to the target directory.
#[test]
fn review_page_works_in_headless_chromium() {
    let (_tmp, sessions, session) = fresh_sessions();
    inject_markup(&session);
    let out = review(&sessions, &["--html"]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    let page = session.join("report.html");

    let mut browser = browser::Browser::launch();
    browser.viewport(1200, 900, false);
    browser.open(&page);

    // Every recorded answer has a player whose WAV loads beside the page.
    assert_eq!(browser.eval("document.querySelectorAll('audio').length"), 2);
    browser.wait_for("[...document.querySelectorAll('audio')].every(a => a.readyState >= 1)");
    let duration = browser.eval("document.querySelector('#q-1 audio').duration");
    let duration = duration.as_f64().unwrap();
    assert!(
        (33.0..34.5).contains(&duration),
        "q1 audio lasts {duration} s"
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('.sample').length"),
        3
    );
    for chart in ["#chart-length", "#chart-pace"] {
        assert_eq!(
            browser.eval(&format!("document.querySelectorAll('{chart} .row').length")),
            3,
            "{chart}"
        );
    }
    assert_eq!(
        browser.eval("document.querySelectorAll('#chart rect.bar').length"),
        2
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#chart circle.dot').length"),
        2
    );
    // The session's three things to work on come first.
    assert_eq!(
        browser.eval("document.querySelector('main > section').className"),
        "focus"
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('.focus li').length"),
        3
    );
    let first = browser.eval("document.querySelector('.focus li').textContent");
    assert!(
        first
            .as_str()
            .unwrap()
            .starts_with("answer 2: 0 of 3 talking points"),
        "{first}"
    );

    // The injected markup stayed text: no script ran, no element was made.
    assert_eq!(browser.eval("typeof window.pwned"), "undefined");
    assert_eq!(browser.eval("document.scripts.length"), 1);
    assert_eq!(browser.eval("document.querySelectorAll('img').length"), 0);
    let text = browser.eval("document.querySelector('#q-2 .seg').textContent");
    assert!(
        text.as_str()
            .unwrap()
            .contains("<script>window.pwned = 1</script>"),
        "{text}"
    );

    // A click on the last segment's time seeks question 1's recording.
    let last_time = "#q-1 .seg:last-of-type button.t";
    let target = browser.eval(&format!(
        "parseFloat(document.querySelector('{last_time}').dataset.t)"
    ));
    let target = target.as_f64().unwrap();
    assert!(target > 5.0, "the last segment starts at {target} s");
    assert_eq!(
        browser.eval("document.querySelector('#q-1 audio').currentTime"),
        0
    );
    browser.click(last_time);
    let now = browser.eval("document.querySelector('#q-1 audio').currentTime");
    let now = now.as_f64().unwrap();
    assert!(
        now >= target - 0.05 && now < target + 5.0,
        "after the click the audio is at {now} s, not {target} s"
    );

    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    browser.screenshot(&shots.join("review-page-desktop.png"));

    // On a phone the two columns stack and nothing overflows the page.
    browser.viewport(390, 844, true);
    browser.wait_for(
        "document.querySelector('#q-1 .sample').getBoundingClientRect().top > \
         document.querySelector('#q-1 .yours').getBoundingClientRect().bottom",
    );
    assert_eq!(
        browser.eval("document.documentElement.scrollWidth <= window.innerWidth"),
        true
    );
    // Both charts are whole on the phone: inside the page, not cut off, and
    // drawn at a readable size.
    for chart in ["#chart-length", "#chart-pace"] {
        let fits = browser.eval(&format!(
            "(() => {{ const r = document.querySelector('{chart}').getBoundingClientRect(); \
             return [r.left, r.right, r.width, window.innerWidth]; }})()"
        ));
        let [left, right, width, inner] = [0, 1, 2, 3].map(|i| fits[i].as_f64().unwrap());
        assert!(
            left >= 0.0 && right <= inner && width >= 300.0,
            "{chart} at 390 px: left {left}, right {right}, width {width}, window {inner}"
        );
        let clipped = browser.eval(&format!(
            "(() => {{ let e = document.querySelector('{chart}').parentElement; \
             while (e) {{ if (e.scrollWidth > e.clientWidth + 1) return e.tagName + '.' + e.className; \
             e = e.parentElement; }} return ''; }})()"
        ));
        assert_eq!(clipped, "", "{chart} overflows its box");
    }
    browser.screenshot(&shots.join("review-page-phone.png"));

    // Nothing but the page and its recordings was asked for (the media
    // controls' own icons are `data:` URLs).
    let urls = browser.requested_urls();
    assert!(
        urls.iter().any(|url| url.ends_with("/report.html")),
        "{urls:?}"
    );
    for url in &urls {
        assert!(
            url.starts_with("file://") || url.starts_with("data:"),
            "the page fetched {url}"
        );
    }
}
