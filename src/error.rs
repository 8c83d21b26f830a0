//! How errors become exit codes. Each area has its own typed error (with a
//! message a user can act on); they all travel up as `anyhow::Error`.

/// Exit code for a user error (bad input, missing model, no device …).
pub(crate) const USER_ERROR: u8 = 1;

/// Exit code of a command stopped by Ctrl-C or SIGTERM (128 + SIGINT).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// The exit code for an error that reached `main`: [`EXIT_INTERRUPTED`] when
/// Ctrl-C stopped the work, else [`USER_ERROR`].
pub(crate) fn exit_code(err: &anyhow::Error) -> u8 {
    let interrupted = err.chain().any(crate::model::is_interrupted);
    if interrupted {
        EXIT_INTERRUPTED
    } else {
        USER_ERROR
    }
}

/// A closed pipe (`viva questions list | head`) is not an error.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
