//! The banks compiled into the binary, so that an installed `viva` has them
//! wherever it runs. Their sources are `data/banks/*.toml`.

/// Built-in banks: (name, TOML text).
pub(crate) const BUILTIN: &[(&str, &str)] = &[(
    "platform-engineer",
    include_str!("../../data/banks/platform-engineer.toml"),
)];

/// The TOML text of the built-in bank `name`.
pub(crate) fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(builtin, _)| *builtin == name)
        .map(|(_, text)| *text)
}
