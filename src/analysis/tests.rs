//! Tests of the whole analysis of one answer.

use super::*;

#[test]
#[ignore]
fn scratch_matrix() {
    let bank: crate::bank::Bank =
        toml::from_str(include_str!("../../data/banks/platform-engineer.toml")).unwrap();
    let n = bank.questions.len();
    let mut diag = 0.0;
    let mut off = 0.0;
    let mut rank_sum = 0;
    for q in &bank.questions {
        let mut ratios = Vec::new();
        for (j, s) in bank.questions.iter().enumerate() {
            let r = cover_text(q, &s.sample_answer);
            let c = r.iter().filter(|p| p.covered).count();
            ratios.push((c as f64 / r.len() as f64, j, s.id.clone()));
            if s.id != q.id && c * 2 > r.len() {
                println!(
                    "{} points covered by {} sample: {}/{}",
                    q.id,
                    s.id,
                    c,
                    r.len()
                );
                for p in r.iter().filter(|p| p.covered) {
                    println!("    {:40} {:?}", p.point, p.matched);
                }
            }
        }
        let own = ratios.iter().find(|r| r.2 == q.id).unwrap().0;
        diag += own;
        off += ratios
            .iter()
            .filter(|r| r.2 != q.id)
            .map(|r| r.0)
            .sum::<f64>()
            / (n - 1) as f64;
        let better = ratios.iter().filter(|r| r.0 > own).count();
        rank_sum += better;
        let r = cover_text(q, &q.sample_answer);
        println!(
            "## {} own={}/{} samples-better={} uncovered={:?}",
            q.id,
            r.iter().filter(|p| p.covered).count(),
            r.len(),
            better,
            r.iter()
                .filter(|p| !p.covered)
                .map(|p| &p.point)
                .collect::<Vec<_>>()
        );
    }
    println!(
        "mean own {:.3} mean other {:.3} total better {}",
        diag / n as f64,
        off / n as f64,
        rank_sum
    );
}
