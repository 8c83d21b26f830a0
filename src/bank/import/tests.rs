//! The importer on the seed page and on the variations real pages have.

use super::*;

/// The seed page (a copy of `shared/seeds/000_cb14ce6b48b6080e.txt`).
const SEED: &str = include_str!("../../../tests/fixtures/banks/platform-engineer-seed.txt");
/// The built-in bank, which must be exactly the seed's import.
const BUILT_IN: &str = include_str!("../../../data/banks/platform-engineer.toml");

fn seed() -> Imported {
    import(SEED, None).expect("the seed imports")
}

fn warnings(imported: &Imported) -> Vec<String> {
    imported
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.line, w.message))
        .collect()
}

/// The seed's lines, to build variations from.
fn seed_lines() -> Vec<String> {
    SEED.split('\n').map(str::to_string).collect()
}

/// Line numbers (1-based) in the seed: the list is lines 4..=27, "-" is
/// line 28, and block `n` (1-based) starts at line 29 + 4 (n - 1) with its
/// question, then guidance, answer and footer.
fn block_line(n: usize) -> usize {
    29 + 4 * (n - 1)
}

#[test]
fn the_seed_gives_the_built_in_bank_byte_for_byte_but_its_follow_ups() {
    let imported = seed();
    assert_eq!(warnings(&imported), Vec::<String>::new());
    // The built-in bank is the seed's import plus follow-up questions
    // written for viva (a page has none).
    let mut built_in = crate::bank::parse(BUILT_IN, "built-in").unwrap();
    assert!(built_in.questions.iter().all(|q| !q.follow_ups.is_empty()));
    let with_follow_ups = built_in.to_toml();
    assert_eq!(
        with_follow_ups, BUILT_IN,
        "the built-in bank is in the writer's layout"
    );
    for question in &mut built_in.questions {
        question.follow_ups.clear();
    }
    assert_eq!(imported.bank.to_toml(), built_in.to_toml());
}

#[test]
fn the_seed_gives_24_questions_with_every_field_verbatim() {
    let bank = seed().bank;
    assert_eq!(bank.id, "platform-engineer");
    assert_eq!(bank.title, "Platform Engineer Interview Questions");
    assert_eq!(bank.role, "Platform Engineer");
    assert_eq!(bank.questions.len(), 24);
    let lines = seed_lines();
    for (index, question) in bank.questions.iter().enumerate() {
        let block = block_line(index + 1) - 1;
        assert_eq!(question.text, lines[3 + index], "question {}", index + 1);
        assert_eq!(question.text, lines[block]);
        assert_eq!(question.guidance, lines[block + 1]);
        let answer = lines[block + 2]
            .strip_prefix("Answer Example: \"")
            .and_then(|a| a.strip_suffix('"'))
            .unwrap();
        assert_eq!(question.sample_answer, answer);
        assert!(!question.talking_points.is_empty());
    }
}

#[test]
fn question_6_has_exactly_its_three_talking_points() {
    let bank = seed().bank;
    let (number, question) = bank.question("6").unwrap();
    assert_eq!(number, 6);
    assert_eq!(question.id, "secrets-management-rotation");
    assert_eq!(
        question.talking_points,
        ["tools", "access patterns", "rotation strategy"]
    );
    assert_eq!(question.aliases["IRSA"], ["IAM roles for service accounts"]);
}

#[test]
fn ids_are_unique_slugs() {
    let bank = seed().bank;
    let ids: HashSet<&str> = bank.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids.len(), 24);
    assert!(bank
        .questions
        .iter()
        .all(|q| crate::bank::check::is_slug(&q.id)));
    assert_eq!(bank.questions[1].id, "ci-cd-pipeline");
}

#[test]
fn crlf_line_ends_and_a_byte_order_mark_change_nothing() {
    let crlf = format!("\u{feff}{}", SEED.replace('\n', "\r\n"));
    let imported = import(&crlf, None).unwrap();
    assert_eq!(warnings(&imported), Vec::<String>::new());
    assert_eq!(imported.bank, seed().bank);
}

#[test]
fn curly_or_straight_quotes_around_the_answer_give_the_same_answer() {
    let curly: Vec<String> = seed_lines()
        .into_iter()
        .map(|line| match line.strip_prefix("Answer Example: \"") {
            Some(rest) => format!("Answer Example: “{}”", rest.strip_suffix('"').unwrap()),
            None => line,
        })
        .collect();
    let imported = import(&curly.join("\n"), None).unwrap();
    assert_eq!(warnings(&imported), Vec::<String>::new());
    assert_eq!(imported.bank, seed().bank);
}

#[test]
fn straight_apostrophes_in_a_block_still_match_the_list() {
    // The list keeps the curly apostrophe; block 5's question uses a straight
    // one and loses its question mark.
    let mut lines = seed_lines();
    let block = block_line(5) - 1;
    lines[block] = lines[block].replace('’', "'").replace('?', "");
    let imported = import(&lines.join("\n"), None).unwrap();
    assert_eq!(warnings(&imported), Vec::<String>::new());
    assert_eq!(imported.bank, seed().bank);
}

#[test]
fn extra_blank_lines_change_nothing() {
    let spaced = SEED.replace('\n', "\n\n  \n");
    let imported = import(&spaced, None).unwrap();
    assert_eq!(warnings(&imported), Vec::<String>::new());
    assert_eq!(imported.bank, seed().bank);
}

#[test]
fn a_missing_guidance_leaves_the_question_without_talking_points() {
    let mut lines = seed_lines();
    lines.remove(block_line(5)); // block 5's guidance line
    let imported = import(&lines.join("\n"), None).unwrap();
    assert_eq!(
        warnings(&imported),
        [format!(
            "{}: question 5 has no guidance (\"Employers ask …\"), so no talking points",
            block_line(5)
        )]
    );
    let question = &imported.bank.questions[4];
    assert_eq!(question.guidance, "");
    assert!(question.talking_points.is_empty());
    assert!(question.sample_answer.starts_with("I aim for lightweight"));
    assert_eq!(imported.bank.questions.len(), 24);
}

#[test]
fn a_missing_answer_leaves_the_sample_answer_empty() {
    let mut lines = seed_lines();
    lines.remove(block_line(7) + 1); // block 7's answer line
    let imported = import(&lines.join("\n"), None).unwrap();
    assert_eq!(
        warnings(&imported),
        [format!(
            "{}: question 7 has no sample answer (\"Answer Example: …\")",
            block_line(7)
        )]
    );
    assert_eq!(imported.bank.questions[6].sample_answer, "");
    assert_eq!(imported.bank.questions[6].talking_points.len(), 3);
}

#[test]
fn a_listed_question_without_a_block_is_kept_and_reported() {
    let mut lines = seed_lines();
    let start = block_line(10) - 1;
    lines.drain(start..start + 4); // block 10, footer included
    let imported = import(&lines.join("\n"), None).unwrap();
    assert_eq!(
        warnings(&imported),
        ["13: question 10 has no block with its guidance and answer: imported with those empty"]
    );
    let bank = imported.bank;
    assert_eq!(bank.questions.len(), 24);
    let question = &bank.questions[9];
    assert_eq!(
        question.text,
        "How do you keep cloud costs under control while enabling fast experimentation?"
    );
    assert_eq!(
        (question.guidance.as_str(), question.sample_answer.as_str()),
        ("", "")
    );
    assert_eq!(bank.questions[10], seed().bank.questions[10]);
}

#[test]
fn a_block_worded_a_little_differently_is_matched_and_reported() {
    let mut lines = seed_lines();
    let block = block_line(8) - 1;
    lines[block] =
        "How would you help a small engineering team migrate from Heroku to AWS without disrupting delivery?".into();
    let imported = import(&lines.join("\n"), None).unwrap();
    assert_eq!(
        warnings(&imported),
        [format!(
            "{}: this block's question differs from the list's (line 11): using the list's wording",
            block_line(8)
        )]
    );
    assert_eq!(imported.bank, seed().bank);
}

#[test]
fn a_block_not_in_the_list_is_added_at_the_end() {
    let extra = "\nWhat is your favourite shell?\nEmployers ask this for fun. In your answer, mention the shell.\nAnswer Example: \"zsh.\"\nHelp us improve this answer. /";
    // The seed ends with "Help us improve this answer. /": make it "/ -".
    let page = format!("{SEED} -{extra}");
    let imported = import(&page, None).unwrap();
    let line = SEED.lines().count() + 1;
    assert_eq!(
        warnings(&imported),
        [format!(
            "{line}: this block's question is not in the list: added as question 25"
        )]
    );
    let last = imported.bank.questions.last().unwrap();
    assert_eq!(last.text, "What is your favourite shell?");
    assert_eq!(last.talking_points, ["shell"]);
    assert_eq!(last.sample_answer, "zsh.");
}

#[test]
fn blocks_without_separators_or_footers_are_still_found() {
    let bare: Vec<String> = seed_lines()
        .into_iter()
        .filter(|line| line != "-" && !line.starts_with("Help us improve"))
        .collect();
    let imported = import(&bare.join("\n"), None).unwrap();
    assert_eq!(warnings(&imported), Vec::<String>::new());
    assert_eq!(imported.bank, seed().bank);
}

#[test]
fn an_answer_over_several_lines_is_joined_and_an_unclosed_quote_reported() {
    let page = "Tiny Interview Questions\nInterview Questions for Tiny\nWhy?\n-\nWhy?\nEmployers ask this. In your answer, mention reasons.\nAnswer Example: “First line\nsecond line.”\nHelp us improve this answer. / -";
    let imported = import(page, None).unwrap();
    assert_eq!(warnings(&imported), Vec::<String>::new());
    assert_eq!(
        imported.bank.questions[0].sample_answer,
        "First line\nsecond line."
    );
    assert_eq!(imported.bank.role, "Tiny");

    let unclosed = page.replace("line.”", "line.");
    let imported = import(&unclosed, None).unwrap();
    assert_eq!(
        warnings(&imported),
        ["7: the sample answer's closing quote is missing: kept up to the end of its block"]
    );
    assert_eq!(
        imported.bank.questions[0].sample_answer,
        "First line\nsecond line."
    );
}

#[test]
fn a_page_of_blocks_without_a_list_uses_the_blocks() {
    let page = "Tiny\nOne?\nEmployers ask. In your answer, mention a.\nAnswer Example: \"A.\"\nTwo?\nAnswer Example: \"B.\"";
    let imported = import(page, None).unwrap();
    assert_eq!(
        warnings(&imported),
        ["5: question 2 has no guidance (\"Employers ask …\"), so no talking points"]
    );
    let texts: Vec<&str> = imported
        .bank
        .questions
        .iter()
        .map(|q| q.text.as_str())
        .collect();
    assert_eq!(texts, ["One?", "Two?"]);
    assert_eq!(imported.bank.id, "tiny");
}

#[test]
fn stray_lines_are_reported_not_dropped_silently() {
    let page = "T\nInterview Questions for T\nOne?\n-\nOne?\nEmployers ask. In your answer, mention a.\nAnswer Example: \"A.\"\nsome stray words\n-\nEmployers ask again.";
    let imported = import(page, None).unwrap();
    assert_eq!(
        warnings(&imported),
        [
            "8: text in a question's block that is not its guidance or answer: ignored",
            "10: guidance with no question before it: ignored",
        ]
    );
}

#[test]
fn the_bank_id_can_be_given() {
    let imported = import(SEED, Some("pe")).unwrap();
    assert_eq!(imported.bank.id, "pe");
    assert_eq!(
        import(SEED, Some("Not An Id")),
        Err(ImportError::BadId("Not An Id".into()))
    );
}

#[test]
fn pages_with_nothing_to_import_are_refused() {
    assert_eq!(import("", None), Err(ImportError::Empty));
    assert_eq!(import("\n \r\n", None), Err(ImportError::Empty));
    assert_eq!(import("Just a title", None), Err(ImportError::NoQuestions));
    assert_eq!(
        import("Title\nInterview Questions for X\n-\n", None),
        Err(ImportError::NoQuestions)
    );
}

#[test]
fn the_written_toml_reads_back_as_the_same_bank() {
    let mut bank = seed().bank;
    bank.questions[0].sample_answer = "Line one \"quoted\" \\ back\nline two\ttab".into();
    bank.questions[0].target_s = Some([30, 45]);
    bank.questions[0]
        .aliases
        .insert("a key\"with quote".into(), vec!["x".into()]);
    let text = bank.to_toml();
    assert_eq!(crate::bank::check::parse(&text), Ok(bank));
}
