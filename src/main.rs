//! The `viva` binary; everything happens in the library.

fn main() -> std::process::ExitCode {
    viva::main()
}
