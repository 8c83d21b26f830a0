//! Integration tests: `viva questions` and `viva bank import | check`, run
//! against the built binary with the real seed page and bank files.

use std::path::PathBuf;

use crate::util;

fn fixture(name: &str) -> PathBuf {
    util::repo_root().join("tests/fixtures/banks").join(name)
}

fn seed() -> PathBuf {
    fixture("platform-engineer-seed.txt")
}

/// The built-in bank as an import of the seed writes it: without the
/// follow-up questions written for viva (a page has none).
fn built_in_bank() -> String {
    let text = std::fs::read_to_string(util::repo_root().join("data/banks/platform-engineer.toml"))
        .unwrap();
    let mut out = String::new();
    let mut in_follow_ups = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("follow_ups = [") {
            in_follow_ups = true;
        } else if in_follow_ups {
            in_follow_ups = !line.starts_with(']');
        } else {
            out.push_str(line);
        }
    }
    out
}

const SHOW_6: &str = "\
Question 6 of 24 · secrets-management-rotation · bank platform-engineer
Can you explain how you’d implement secrets management and rotation for
applications running in containers?

Why employers ask
  Employers ask this to ensure you can protect sensitive data end-to-end. In
  your answer, specify the tools, access patterns, and rotation strategy.

Talking points
  - tools
  - access patterns
  - rotation strategy

Follow-up questions (asked when an answer misses the point)
  - tools: Which tools would you use to store and deliver those secrets?
  - access patterns: How would an application actually get hold of its secrets
    at runtime?
  - rotation strategy: How would a secret actually get rotated in that setup?

Sample answer
  I’d store secrets in a managed system like AWS Secrets Manager or Vault, with
  apps retrieving short-lived tokens via sidecars or CSI drivers. Access control
  is least-privilege via IAM roles for service accounts (IRSA) and audit logging
  is enabled. Rotation is automated with lambdas/operators and coordinated
  deploys to refresh pods without downtime. We’d prohibit secrets in images or
  env files and scan repos for exposures.

Spoken forms
  - IAM: identity and access management
  - IRSA: IAM roles for service accounts

Target length: 60–120 s
";

#[test]
fn questions_list_shows_the_24_seed_questions() {
    let out = util::run(util::viva().args(["questions", "list"]));
    assert!(out.status.success(), "{}", util::stderr(&out));
    let stdout = util::stdout(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 24);
    assert_eq!(
        lines[0],
        " 1  secure-multi-tenant-kubernetes          Walk me through how you would design a secure, multi-tenant Kubernetes platform for a small but growing engineering team."
    );
    assert_eq!(
        lines[5],
        " 6  secrets-management-rotation             Can you explain how you’d implement secrets management and rotation for applications running in containers?"
    );
    assert_eq!(
        lines[23],
        "24  work-style-teams                        Tell me about your work style on small teams—how do you balance heads-down building with cross-functional communication?"
    );
}

#[test]
fn questions_without_an_action_lists_and_bank_goes_before_or_after() {
    let plain = util::stdout(&util::run(util::viva().args(["questions"])));
    let before = util::run(util::viva().args(["questions", "--bank", "platform-engineer", "list"]));
    let after = util::run(util::viva().args(["questions", "list", "--bank", "platform-engineer"]));
    assert_eq!(plain.lines().count(), 24);
    assert_eq!(util::stdout(&before), plain);
    assert_eq!(util::stdout(&after), plain);
}

#[test]
fn questions_show_by_number_and_by_id_print_the_whole_question() {
    let by_number = util::run(util::viva().args(["questions", "show", "6"]));
    assert!(by_number.status.success(), "{}", util::stderr(&by_number));
    assert_eq!(util::stdout(&by_number), SHOW_6);
    let by_id = util::run(util::viva().args(["questions", "show", "secrets-management-rotation"]));
    assert_eq!(util::stdout(&by_id), SHOW_6);
}

#[test]
fn questions_show_of_an_unknown_question_says_what_to_give() {
    let out = util::run(util::viva().args(["questions", "show", "25"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        "error: no question '25' in bank 'platform-engineer': give a number 1..24 or an id from `viva questions list`\n"
    );
}

#[test]
fn questions_from_a_bank_file_and_an_unknown_bank() {
    let tiny = fixture("tiny.toml");
    let out = util::run(
        util::viva()
            .args(["questions", "list", "--bank"])
            .arg(&tiny),
    );
    assert_eq!(
        util::stdout(&out),
        "1  why-rust  Why Rust?\n2  why-toml  Why TOML?\n"
    );
    let out = util::run(util::viva().args(["questions", "--bank", "no-such-bank"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        util::stderr(&out).starts_with(
            "error: no bank 'no-such-bank': it is not a built-in bank (platform-engineer), not in "
        ),
        "{}",
        util::stderr(&out)
    );
}

#[test]
fn bank_import_of_the_seed_is_the_built_in_bank() {
    let out = util::run(util::viva().args(["bank", "import"]).arg(seed()));
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(util::stderr(&out), "");
    assert_eq!(util::stdout(&out), built_in_bank());
}

#[test]
fn bank_import_writes_the_output_file() {
    let dir = util::temp_dir();
    let target = dir.path().join("banks/pe.toml");
    let out = util::run(
        util::viva()
            .args(["bank", "import"])
            .arg(seed())
            .arg("-o")
            .arg(&target),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(
        util::stderr(&out),
        format!(
            "wrote 24 questions to {} (bank 'platform-engineer')\n",
            target.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), built_in_bank());
    // Nothing but the bank is left in the directory (the write is atomic).
    assert_eq!(
        std::fs::read_dir(target.parent().unwrap()).unwrap().count(),
        1
    );
}

#[test]
fn bank_import_reports_what_it_worked_around_by_line() {
    // CRLF line ends, block 10 removed, block 5 without its guidance.
    let seed_text = std::fs::read_to_string(seed()).unwrap();
    let mut lines: Vec<&str> = seed_text.split('\n').collect();
    let block_10 = 29 + 4 * 9 - 1;
    lines.drain(block_10..block_10 + 4);
    let guidance_5 = 29 + 4 * 4;
    lines.remove(guidance_5);
    let dir = util::temp_dir();
    let page = dir.path().join("page.txt");
    std::fs::write(&page, lines.join("\r\n")).unwrap();
    let out_file = dir.path().join("out.toml");

    let out = util::run(
        util::viva()
            .args(["bank", "import", "--id", "pe-draft", "-o"])
            .arg(&out_file)
            .arg(&page),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    let p = page.display();
    let o = out_file.display();
    assert_eq!(
        util::stderr(&out),
        format!(
            "warning: {p}:13: question 10 has no block with its guidance and answer: imported with those empty\n\
             warning: {p}:45: question 5 has no guidance (\"Employers ask …\"), so no talking points\n\
             wrote 24 questions to {o} (bank 'pe-draft')\n\
             warning: {o} needs 2 fixes before use; see `viva bank check`\n"
        )
    );
    let check = util::run(util::viva().args(["bank", "check"]).arg(&out_file));
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        util::stderr(&check),
        format!(
            "error: {o}:68:18: question 'incident-response-postmortems' has no talking points\n\
             error: {o}:131:18: question 'cloud-costs-control' has no talking points\n\
             {o}: 2 errors\n"
        )
    );
}

#[test]
fn bank_import_refuses_a_page_without_questions() {
    let dir = util::temp_dir();
    let page = dir.path().join("title-only.txt");
    std::fs::write(&page, "Just a title\n").unwrap();
    let out = util::run(util::viva().args(["bank", "import"]).arg(&page));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        format!(
            "error: cannot import {}: the page has no questions: expected a title line, then one question per line\n",
            page.display()
        )
    );
    assert_eq!(util::stdout(&out), "");
}

#[test]
fn bank_check_accepts_the_built_in_bank() {
    let out = util::run(util::viva().current_dir(util::repo_root()).args([
        "bank",
        "check",
        "data/banks/platform-engineer.toml",
    ]));
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(
        util::stdout(&out),
        "data/banks/platform-engineer.toml: ok, bank 'platform-engineer' with 24 questions\n"
    );
}

#[test]
fn bank_check_prints_every_error_with_its_line() {
    let out =
        util::run(
            util::viva()
                .current_dir(fixture(""))
                .args(["bank", "check", "broken.toml"]),
        );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(util::stdout(&out), "");
    assert_eq!(
        util::stderr(&out),
        "\
error: broken.toml:5:1: the bank has an unknown field 'colour'; expected one of: id, title, role, target_s, questions
error: broken.toml:9:8: question 1 has no text
error: broken.toml:11:28: question 1: talking point 2 is empty
error: broken.toml:14:1: question 2 is missing field 'talking_points'
error: broken.toml:15:6: question 2 has the same id 'ci-cd' as question 1 (line 8)
error: broken.toml:18:1: question 2 has an unknown field 'talking_point'; did you mean 'talking_points'?
error: broken.toml:21:1: question 'Bad Id' is missing field 'guidance'
error: broken.toml:22:6: question 'Bad Id': the id 'Bad Id' must be lowercase letters, digits and single hyphens, e.g. 'ci-cd'
error: broken.toml:24:18: question 'Bad Id' has no talking points
error: broken.toml:26:12: question 'Bad Id': target_s [120, 60] has its minimum above its maximum
error: broken.toml:29:6: question '7': the id '7' must not be only digits: numbers select questions by position
error: broken.toml:33:17: question '7': 'sample_answer' must be a string, not an integer
broken.toml: 12 errors
"
    );
}

#[test]
fn bank_check_names_the_question_with_no_text() {
    let dir = util::temp_dir();
    let bank = built_in_bank().replacen(
        "text = \"Tell me about a time you built or significantly improved a CI/CD pipeline. What changed for developers?\"",
        "text = \"\"",
        1,
    );
    std::fs::write(dir.path().join("platform-engineer.toml"), bank).unwrap();
    let out = util::run(util::viva().current_dir(dir.path()).args([
        "bank",
        "check",
        "platform-engineer.toml",
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        "error: platform-engineer.toml:26:8: question 'ci-cd-pipeline' has no text\nplatform-engineer.toml: 1 error\n"
    );
}

#[test]
fn bank_check_reports_toml_syntax_errors() {
    let out =
        util::run(
            util::viva()
                .current_dir(fixture(""))
                .args(["bank", "check", "bad-syntax.toml"]),
        );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        "\
error: bad-syntax.toml:2:20: invalid TOML: invalid basic string, expected `\"`
error: bad-syntax.toml:7:1: invalid TOML: duplicate key
bad-syntax.toml: 2 errors
"
    );
}
