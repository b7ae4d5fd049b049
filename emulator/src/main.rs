//! The local Events API emulator: command line and start-up. Everything else is the
//! library (`src/lib.rs`), which the tests use too.


use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;

use events_emulator::state::{AppState, Config};
use events_emulator::{auth, paths, rate_limit, routes, server, store};

/// Local emulator of Genomcore's Events API, stored in SQLite.
#[derive(Parser, Debug)]
#[command(version, about, args_override_self = true)]
struct Cli {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: String,
    /// SQLite database file (`:memory:` for a throw-away database).
    #[arg(long, default_value = "./events.sqlite")]
    db: String,
    /// Serve this folder at `/` (demo page, built package), same origin as the API.
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// HS256 secret that signs and checks tokens.
    #[arg(long, default_value = "events-emulator-dev-secret")]
    secret: String,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    token_ttl: u64,
    /// Enable `/__emulator/stats`, `/__emulator/faults`, `/__emulator/release`,
    /// `/__emulator/expire-tokens` and `/__emulator/clock`.
    #[arg(long)]
    test_hooks: bool,
    /// Largest request body accepted, in bytes (larger: 413).
    #[arg(long, default_value_t = 32 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..))]
    max_body_bytes: u64,
    /// Answer 415 to every compressed (gzip, deflate) request body to the Events API, as
    /// a service that does not inflate bodies would (clients must then send them plain).
    #[arg(long)]
    refuse_content_encoding: bool,
    /// At most this many creates (POST /events) a second; beyond it, 429 with
    /// Retry-After (to test a client's backpressure). 0: no limit.
    #[arg(long, default_value_t = 0)]
    rate_limit: u32,
    /// Validate and answer creates as usual (with ids) but store nothing.
    #[arg(long)]
    sink: bool,
    /// One line per request on stderr: method, path, status, milliseconds.
    #[arg(long)]
    log: bool,
}

fn main() {
    let cli = Cli::parse();
    let store = match store::Store::open(&cli.db, cli.sink) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("events-emulator: cannot open database {}: {e}", cli.db);
            std::process::exit(1);
        }
    };
    let state = Arc::new(AppState {
        cfg: Config {
            secret: cli.secret,
            token_ttl_secs: cli.token_ttl,
            max_body_bytes: cli.max_body_bytes,
            refuse_content_encoding: cli.refuse_content_encoding,
            test_hooks: cli.test_hooks,
            log: cli.log,
        },
        store,
        stats: Default::default(),
        faults: Default::default(),
        holds: Default::default(),
        in_flight: Default::default(),
        rate_limit: (cli.rate_limit > 0).then(|| rate_limit::RateLimit::new(cli.rate_limit)),
        tokens: auth::TokenClock::new(cli.test_hooks),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&cli.addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("events-emulator: cannot listen on {}: {e}", cli.addr);
                std::process::exit(1);
            }
        };
        let addr = listener.local_addr().expect("bound address");
        let base = format!("http://{addr}");
        let token = &routes::auth::token_pair(&state, "demo", "demo")["token"];
        // Scripts and tests read the first line for the URL.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {base}");
        let _ = writeln!(out, "token: {}", token.as_str().unwrap_or_default());
        let _ = writeln!(out, "api: {base}{}", paths::API);
        let _ = out.flush();
        drop(out);
        let app = routes::router(state.clone(), cli.static_dir);
        tokio::select! {
            _ = server::serve(listener, state, app) => {}
            _ = shutdown() => {}
        }
    });
}

/// Ctrl-C or SIGTERM: stop; every acknowledged create is already committed.
async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
