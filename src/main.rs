//! The `gnutsim` binary: parse the command line, call the library, turn errors into exit statuses
//! (2 for a bad command line or scenario, 1 for anything else).

use clap::Parser;

/// Large buffers on huge pages (the event loop reaches them at random): see `gnutsim::huge_pages`.
#[global_allocator]
static ALLOCATOR: gnutsim::huge_pages::HugePages = gnutsim::huge_pages::HugePages;

fn main() {
    let cli = gnutsim::cli::Cli::parse();
    gnutsim::output::install_interrupt_handler();
    if let Err(e) = gnutsim::cli::run(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
