//! The catalogue of Whisper models viva knows (`models/catalog.toml`,
//! compiled in): each model's name, and where to get it with the sha256 of
//! the file each source ends up as.

use serde::Deserialize;

/// The catalogue as shipped with this build.
const CATALOG_TOML: &str = include_str!("../../models/catalog.toml");

/// The model used when none is named.
pub(crate) const DEFAULT_MODEL: &str = "tiny.en";

/// The models directory's file name for a model: `ggml-NAME.bin`.
pub(crate) fn file_name(name: &str) -> String {
    format!("ggml-{name}.bin")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Catalog {
    pub(crate) default: String,
    #[serde(rename = "model")]
    pub(crate) models: Vec<ModelEntry>,
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
    /// Python packages (the parts of one CTranslate2 model, in order), converted here.
    Pip {
        packages: Vec<String>,
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

    /// The known names, for "unknown model" messages.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_parses_and_is_consistent() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.default, DEFAULT_MODEL);
        assert!(catalog.get("tiny.en").is_some());
        assert!(catalog.get("base").is_some());
        for model in &catalog.models {
            assert!(!model.sources.is_empty(), "{} has no source", model.name);
            for source in &model.sources {
                let sha = source.sha256();
                assert!(
                    sha.len() == 64
                        && sha
                            .bytes()
                            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                    "{}: bad sha256 {sha}",
                    model.name
                );
            }
        }
    }

    #[test]
    fn file_names_follow_whisper_cpp() {
        assert_eq!(file_name("tiny.en"), "ggml-tiny.en.bin");
    }
}
