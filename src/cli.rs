//! Command-line definitions (clap derive). This file is the CLI contract of
//! DESIGN.md; each subcommand's work lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "viva",
    version,
    about = "A local, private, voice-driven mock interviewer"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
pub struct ModelArg {
    /// Path to a ggml Whisper model file (default: the models directory's tiny.en).
    #[arg(long, env = "VIVA_MODEL", value_name = "PATH")]
    pub model: Option<PathBuf>,
}

/// Which bank: a built-in name, a name in the user's banks directory, or a path.
#[derive(Debug, Clone, Args)]
pub struct BankArg {
    /// Bank name (built in or in the user's banks directory) or path to a bank file.
    #[arg(
        long,
        value_name = "NAME|PATH",
        default_value = "platform-engineer",
        global = true
    )]
    pub bank: String,
}

/// The sessions directory, shared by practice, review and history.
#[derive(Debug, Clone, Args)]
pub struct SessionsArg {
    /// Directory that holds the session folders.
    #[arg(long, env = "VIVA_SESSIONS", value_name = "DIR")]
    pub sessions: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PracticeArgs {
    #[command(flatten)]
    pub bank: BankArg,
    /// Questions to ask, by number or id (e.g. `1,4,ci-cd`).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["count", "weakest"])]
    pub pick: Vec<String>,
    /// Ask this many questions.
    #[arg(long)]
    pub count: Option<usize>,
    /// Ask the N questions with the lowest recent coverage (never practised first).
    #[arg(long, value_name = "N")]
    pub weakest: Option<usize>,
    /// Shuffle the chosen questions.
    #[arg(long)]
    pub shuffle: bool,
    /// Longest answer, e.g. `2m`, `90s` (default: the bank's target).
    #[arg(long, value_name = "DURATION")]
    pub time_limit: Option<String>,
    /// Stop an answer after this much silence once speech began, e.g. `4s`.
    #[arg(long, value_name = "DURATION", default_value = "4s")]
    pub silence: String,
    /// Print the questions instead of speaking them.
    #[arg(long)]
    pub no_tts: bool,
    /// Take each answer from `DIR/<N>.wav`, `DIR/<0N>.wav` or `DIR/<id>.wav`.
    #[arg(long, value_name = "DIR")]
    pub answers: Option<PathBuf>,
    /// Input device, matched by name.
    #[arg(long, value_name = "NAME")]
    pub input_device: Option<String>,
    #[command(flatten)]
    pub model: ModelArg,
    #[command(flatten)]
    pub sessions: SessionsArg,
    /// Continue an unfinished session (default: the newest).
    #[arg(long, value_name = "SESSION", num_args = 0..=1, default_missing_value = "")]
    pub resume: Option<String>,
}

#[derive(Debug, Args)]
pub struct QuestionsArgs {
    #[command(subcommand)]
    pub action: Option<QuestionsAction>,
    #[command(flatten)]
    pub bank: BankArg,
}

#[derive(Debug, Subcommand)]
pub enum QuestionsAction {
    /// One line per question: number, id, text.
    List,
    /// A question with its guidance, talking points and sample answer.
    Show {
        /// Question number (1..N) or id.
        question: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BankCommand {
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
pub struct TranscribeArgs {
    /// WAV files to transcribe.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print one JSON object per file, one per line.
    #[arg(long)]
    pub json: bool,
    /// Initial prompt for Whisper, to bias jargon.
    #[arg(long)]
    pub prompt: Option<String>,
    /// Beam size (1 = greedy).
    #[arg(long)]
    pub beam: Option<usize>,
    /// Threads for Whisper.
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Session folder or name (default: the newest).
    pub session: Option<String>,
    /// Only this question (number or id).
    #[arg(long)]
    pub question: Option<String>,
    /// Write a self-contained HTML page into the session folder.
    #[arg(long)]
    pub html: bool,
    /// Where to write the HTML page.
    #[arg(short, long, requires = "html")]
    pub output: Option<PathBuf>,
    /// Open the HTML page in a browser.
    #[arg(long, requires = "html")]
    pub open: bool,
    /// Recompute the metrics from the saved transcripts.
    #[arg(long)]
    pub recompute: bool,
    #[command(flatten)]
    pub sessions: SessionsArg,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this question (number or id), in detail.
    #[arg(long)]
    pub question: Option<String>,
    #[command(flatten)]
    pub sessions: SessionsArg,
}

#[derive(Debug, Args)]
pub struct SayArgs {
    /// The text to speak.
    #[arg(required = true)]
    pub text: Vec<String>,
    /// Voice name (see `viva devices`).
    #[arg(long)]
    pub voice: Option<String>,
    /// Speech rate, 0.0..=1.0 of the engine's range (0.5 = normal).
    #[arg(long)]
    pub rate: Option<f32>,
    /// Volume, 0.0..=1.0.
    #[arg(long)]
    pub volume: Option<f32>,
    /// Print the text instead of speaking it.
    #[arg(long)]
    pub no_tts: bool,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The WAV file to write (16 kHz mono 16-bit).
    pub out: PathBuf,
    /// Input device, matched by name.
    #[arg(long, value_name = "NAME")]
    pub input_device: Option<String>,
    /// Stop after this many seconds.
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Stop after this much silence once speech began, e.g. `4s`.
    #[arg(long, value_name = "DURATION", default_value = "4s")]
    pub silence: String,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Put a known model into the models directory.
    Fetch {
        /// Model name from the catalogue.
        #[arg(default_value = "tiny.en")]
        name: String,
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
    },
    /// Known and present models, with size and status.
    List,
    /// Check a model's sha256 and that Whisper loads it.
    Verify {
        /// Model name from the catalogue.
        #[arg(default_value = "tiny.en")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub model: ModelArg,
    #[command(flatten)]
    pub sessions: SessionsArg,
}
