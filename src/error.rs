//! How errors become exit codes. Each area has its own typed error (with a
//! message a user can act on); they all travel up as `anyhow::Error`.

/// Exit code for a user error (bad input, missing model, no device …).
pub const USER_ERROR: u8 = 1;

/// The exit code for an error that reached `main`.
pub fn exit_code(_err: &anyhow::Error) -> u8 {
    USER_ERROR
}

/// A closed pipe (`viva questions list | head`) is not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
