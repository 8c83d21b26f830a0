//! The embedding side of the coverage judge: vectors for the answer's
//! passages and for what the question says about each talking point (the
//! point's own words, and the sentence of the sample answer that
//! illustrates it, its exemplar).
//!
//! The question's side is the same for every answer to it, so it goes
//! through the embedder's cache; an answer costs one pass over its own
//! passages.

use super::passages::Passage;
use super::star::StarPart;
use crate::model::embedder::{dot, Embedder, EmbedderError, Vector};

/// Everything embedded for one answer.
pub(crate) struct Meaning {
    /// One vector per answer passage.
    pub(crate) passages: Vec<Vector>,
    /// Per talking point, the sample-answer passage that illustrates it
    /// (an index into `sample`), when the sample has passages.
    pub(crate) exemplars: Vec<Option<usize>>,
    /// The sample answer's sentences: text and vector.
    pub(crate) sample: Vec<(String, Vector)>,
    /// Per talking point: "point: exemplar" (or the point alone without
    /// one), the point as the question means it.
    pub(crate) with_exemplar: Vec<Vector>,
    /// The whole answer and the whole sample (mean of their passages).
    pub(crate) answer_mean: Vector,
    pub(crate) sample_mean: Vector,
    /// Per answer passage, its similarity to each STAR part's
    /// descriptions (the best of them), for behavioural questions.
    pub(crate) star: Option<Vec<[f32; 4]>>,
}

/// How strongly the exemplar alignment keeps the sample's order: a bank's
/// sample answer mostly takes the points in the order the guidance names
/// them (chosen on the dev part of the labelled set).
const ORDER_WEIGHT: f32 = 0.3;

/// "point: exemplar", how the point is put to the model: its words within
/// the question's own example, so that "testing" means testing a restore,
/// not any test.
fn with_exemplar_text(point: &str, exemplar: Option<&str>) -> String {
    match exemplar {
        Some(exemplar) => format!("{point}: {exemplar}"),
        None => point.to_string(),
    }
}

/// Each point's exemplar: the sample sentence it is most like, with the
/// points taken in order (a later point never gets an earlier sentence;
/// two points may share one) and a pull towards the same relative place.
pub(crate) fn align(similarity: &[Vec<f32>]) -> Vec<Option<usize>> {
    let n = similarity.len();
    let m = similarity.first().map_or(0, Vec::len);
    if m == 0 {
        return vec![None; n];
    }
    let place = |i: usize, count: usize| {
        if count > 1 {
            i as f32 / (count - 1) as f32
        } else {
            0.0
        }
    };
    let score =
        |i: usize, j: usize| similarity[i][j] - ORDER_WEIGHT * (place(j, m) - place(i, n)).abs();
    // best[i][j]: the best total for points 0..=i with point i on sentence j.
    let mut best = vec![vec![f32::MIN; m]; n];
    let mut from = vec![vec![0usize; m]; n];
    for j in 0..m {
        best[0][j] = score(0, j);
    }
    for i in 1..n {
        let (mut running, mut running_j) = (f32::MIN, 0);
        for j in 0..m {
            if best[i - 1][j] > running {
                running = best[i - 1][j];
                running_j = j;
            }
            best[i][j] = running + score(i, j);
            from[i][j] = running_j;
        }
    }
    let mut j = (0..m)
        .max_by(|&a, &b| best[n - 1][a].total_cmp(&best[n - 1][b]))
        .unwrap_or(0);
    let mut out = vec![None; n];
    for i in (0..n).rev() {
        out[i] = Some(j);
        j = from[i][j];
    }
    out
}

/// Embed the answer's passages and the question's side.
pub(crate) fn embed(
    embedder: &Embedder,
    points: &[String],
    sample: &[Passage],
    passages: &[Passage],
    behavioural: bool,
) -> Result<Meaning, EmbedderError> {
    let answer_texts: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
    let passage_vectors = embedder.embed(&answer_texts)?;

    let point_texts: Vec<&str> = points.iter().map(String::as_str).collect();
    let sample_texts: Vec<&str> = sample.iter().map(|p| p.text.as_str()).collect();
    let mut question_side: Vec<&str> = point_texts.clone();
    question_side.extend(&sample_texts);
    if behavioural {
        for part in StarPart::ALL {
            question_side.extend(part.prototypes());
        }
    }
    let mut vectors = embedder.embed_cached(&question_side)?.into_iter();
    let point_vectors: Vec<Vector> = vectors.by_ref().take(points.len()).collect();
    let sample_vectors: Vec<Vector> = vectors.by_ref().take(sample.len()).collect();
    let star = behavioural.then(|| {
        let prototypes: Vec<Vec<Vector>> = StarPart::ALL
            .iter()
            .map(|part| vectors.by_ref().take(part.prototypes().len()).collect())
            .collect();
        passage_vectors
            .iter()
            .map(|passage| {
                let mut best = [0f32; 4];
                for (part, vectors) in prototypes.iter().enumerate() {
                    best[part] = vectors
                        .iter()
                        .map(|v| dot(v, passage))
                        .fold(f32::MIN, f32::max);
                }
                best
            })
            .collect()
    });
    let table: Vec<Vec<f32>> = point_vectors
        .iter()
        .map(|point| sample_vectors.iter().map(|s| dot(point, s)).collect())
        .collect();
    let exemplars = align(&table);
    let with_texts: Vec<String> = points
        .iter()
        .zip(&exemplars)
        .map(|(point, exemplar)| with_exemplar_text(point, exemplar.map(|e| sample_texts[e])))
        .collect();
    let with_refs: Vec<&str> = with_texts.iter().map(String::as_str).collect();
    let with_exemplar = embedder.embed_cached(&with_refs)?;
    Ok(Meaning {
        with_exemplar,
        answer_mean: mean(&passage_vectors),
        sample_mean: mean(&sample_vectors),
        passages: passage_vectors,
        exemplars,
        sample: sample_texts
            .iter()
            .map(|text| text.to_string())
            .zip(sample_vectors)
            .collect(),
        star,
    })
}

/// The normalised mean of unit vectors (zero for none).
pub(crate) fn mean(vectors: &[Vector]) -> Vector {
    let Some(first) = vectors.first() else {
        return Vec::new();
    };
    let mut sum = vec![0f32; first.len()];
    for vector in vectors {
        for (total, x) in sum.iter_mut().zip(vector) {
            *total += x;
        }
    }
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        sum.iter_mut().for_each(|x| *x /= norm);
    }
    sum
}

/// Cosine similarity, 0 when either side is missing.
pub(crate) fn similarity(a: &[f32], b: &[f32]) -> f32 {
    if a.is_empty() || b.is_empty() {
        0.0
    } else {
        dot(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exemplars_follow_the_sample_in_order() {
        // Point 1 is most like sentence 0 on its own, but order keeps it
        // after point 0's sentence 1.
        let table = vec![
            vec![0.1, 0.6, 0.2],
            vec![0.5, 0.45, 0.3],
            vec![0.1, 0.2, 0.7],
        ];
        assert_eq!(align(&table), [Some(1), Some(1), Some(2)]);
        assert_eq!(align(&[vec![], vec![]]), [None, None]);
        assert_eq!(align(&[]), Vec::<Option<usize>>::new());
        assert_eq!(align(&[vec![0.2, 0.9]]), [Some(1)]);
    }

    #[test]
    fn the_mean_of_unit_vectors_is_a_unit_vector() {
        let m = mean(&[vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert!((m[0] - m[1]).abs() < 1e-6);
        assert!((similarity(&m, &m) - 1.0).abs() < 1e-6);
        assert!(mean(&[]).is_empty());
        assert_eq!(similarity(&[], &m), 0.0);
    }
}
