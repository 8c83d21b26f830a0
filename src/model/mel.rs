//! The mel filter bank that whisper.cpp reads from the model file.
//!
//! Whisper was trained on log-mel spectrograms built with librosa's
//! Slaney-style filters (`librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)`,
//! shipped by OpenAI as `mel_filters.npz`). whisper.cpp does not compute them:
//! each ggml file carries them. CTranslate2 models do not, so the importer
//! computes them here with the same formulas (in f64, stored as f32 as
//! librosa does).

/// Whisper's audio sample rate.
pub(crate) const SAMPLE_RATE: f64 = 16_000.0;
/// Whisper's FFT window, in samples.
pub(crate) const N_FFT: usize = 400;
/// FFT bins from 0 Hz to Nyquist: `N_FFT / 2 + 1`.
pub(crate) const N_FREQ_BINS: usize = N_FFT / 2 + 1;

/// A mel filter bank: `n_mels` rows of `N_FREQ_BINS` weights, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MelFilters {
    pub(crate) n_mels: usize,
    pub(crate) n_fft_bins: usize,
    pub(crate) weights: Vec<f32>,
}

// Slaney's mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above.
const LINEAR_HZ_PER_MEL: f64 = 200.0 / 3.0;
const LOG_START_HZ: f64 = 1000.0;
const LOG_START_MEL: f64 = LOG_START_HZ / LINEAR_HZ_PER_MEL;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hertz to Slaney mels.
pub(crate) fn hz_to_mel(hz: f64) -> f64 {
    if hz >= LOG_START_HZ {
        LOG_START_MEL + (hz / LOG_START_HZ).ln() / log_step()
    } else {
        hz / LINEAR_HZ_PER_MEL
    }
}

/// Slaney mels to hertz.
pub(crate) fn mel_to_hz(mel: f64) -> f64 {
    if mel >= LOG_START_MEL {
        LOG_START_HZ * (log_step() * (mel - LOG_START_MEL)).exp()
    } else {
        mel * LINEAR_HZ_PER_MEL
    }
}

/// Values from `start` to `end` inclusive, `count` of them, evenly spaced (numpy's linspace).
fn linspace(start: f64, end: f64, count: usize) -> impl Iterator<Item = f64> {
    let step = (end - start) / (count - 1) as f64;
    (0..count).map(move |i| {
        if i + 1 == count {
            end
        } else {
            start + step * i as f64
        }
    })
}

/// Slaney-normalised triangular mel filters from 0 Hz to Nyquist for Whisper's
/// sample rate and FFT size.
pub(crate) fn whisper_mel_filters(n_mels: usize) -> MelFilters {
    let nyquist = SAMPLE_RATE / 2.0;
    // numpy's rfftfreq: bin i is at i / (n_fft / sample_rate) Hz.
    let bin_spacing = 1.0 / (N_FFT as f64 * (1.0 / SAMPLE_RATE));
    let bin_hz: Vec<f64> = (0..N_FREQ_BINS).map(|i| i as f64 * bin_spacing).collect();
    // n_mels + 2 band edges, evenly spaced in mels.
    let edges_hz: Vec<f64> = linspace(hz_to_mel(0.0), hz_to_mel(nyquist), n_mels + 2)
        .map(mel_to_hz)
        .collect();

    let mut weights = Vec::with_capacity(n_mels * N_FREQ_BINS);
    for band in 0..n_mels {
        let (low, centre, high) = (edges_hz[band], edges_hz[band + 1], edges_hz[band + 2]);
        // Slaney normalisation: every filter has the same area.
        let area_norm = 2.0 / (high - low);
        for &hz in &bin_hz {
            let rising = (hz - low) / (centre - low);
            let falling = (high - hz) / (high - centre);
            // Rounded to f32 before and after the normalisation, as librosa
            // does (its weights array is f32): this gives OpenAI's exact bits.
            let triangle = rising.min(falling).max(0.0) as f32;
            weights.push((f64::from(triangle) * area_norm) as f32);
        }
    }
    MelFilters {
        n_mels,
        n_fft_bins: N_FREQ_BINS,
        weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_linear_below_1khz_and_inverts() {
        assert!((hz_to_mel(200.0) - 3.0).abs() < 1e-12);
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        for hz in [0.0, 440.0, 1000.0, 3000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
    }
    /// OpenAI's filter bank, shipped with Whisper (see tests/fixtures/models/README.md).
    const OPENAI_MEL_80: &[u8] = include_bytes!("../../tests/fixtures/models/openai_mel_80.f32");

    #[test]
    fn equals_openai_mel_filters_everywhere() {
        let mel = whisper_mel_filters(80);
        let reference: Vec<f32> = OPENAI_MEL_80
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(reference.len(), 80 * 201);
        // Equal values (numpy leaves one -0.0 where this code has 0.0; they compare equal).
        for (i, (ours, theirs)) in mel.weights.iter().zip(&reference).enumerate() {
            assert_eq!(ours, theirs, "row {} column {}", i / 201, i % 201);
        }
    }

    /// Reference values from OpenAI's `whisper/assets/mel_filters.npz`
    /// (`mel_80`, float32), read with numpy from the openai-whisper 20250625 sdist.
    #[test]
    fn matches_openai_mel_filters() {
        let mel = whisper_mel_filters(80);
        assert_eq!(
            (mel.n_mels, mel.n_fft_bins, mel.weights.len()),
            (80, 201, 80 * 201)
        );
        let at = |row: usize, col: usize| mel.weights[row * 201 + col];
        #[track_caller]
        fn close(actual: f32, expected: f32) {
            assert!((actual - expected).abs() <= 1e-7, "{actual} != {expected}");
        }
        close(at(0, 1), 0.024_862_595);
        close(at(0, 2), 0.0);
        close(at(1, 2), 0.022_871_772);
        close(at(13, 13), 0.025_880_683); // the largest weight
        close(at(40, 42), 0.005_411_105);
        close(at(40, 43), 0.014_735_566);
        close(at(40, 44), 0.006_518_19);
        close(at(79, 186), 0.000_366_741_67);
        close(at(79, 192), 0.003_164_711_9);
        close(at(79, 199), 0.000_448_759);
        close(at(79, 200), 0.0);
        // Row sums for the first, middle and last filter, and the whole bank.
        let row_sum = |row: usize| {
            mel.weights[row * 201..(row + 1) * 201]
                .iter()
                .map(|&w| w as f64)
                .sum::<f64>()
        };
        assert!((row_sum(0) - 0.024_862_594_902_515_41).abs() < 1e-7);
        assert!((row_sum(39) - 0.023_394_937_656_121_33).abs() < 1e-7);
        assert!((row_sum(79) - 0.024_925_339_792_389_423).abs() < 1e-7);
        let total: f64 = mel.weights.iter().map(|&w| w as f64).sum();
        assert!((total - 1.999_024_092_387_117).abs() < 1e-6);
    }
}
