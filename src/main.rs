//! The `viva` binary; everything happens in the library.

// mimalloc keeps freed memory for reuse; glibc's malloc hands the large
// blocks of the embedding model's tensors back to the kernel and faults
// them in afresh on every operation, which made analysing an answer about
// a third slower (benches/coverage.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    viva::main()
}
