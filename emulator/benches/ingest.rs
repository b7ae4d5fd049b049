//! Ingest speed: 100000 events in 10 creates of 10000, over HTTP, into a file database.
//! Not a timed test: it prints events per second for a few repetitions and their median.
//!
//!     cargo bench -p events-emulator --profile emulator --bench ingest
//!
//! `BENCH_REPS` sets the repetitions (default 5).

#[allow(dead_code)]
#[path = "../tests/common/http.rs"]
mod http;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

const EVENTS: usize = 100_000;
const CHUNK: usize = 10_000;

/// Realistic events: an SDK-like owner and collection, increasing starts, some with
/// `end` and `batch`.
fn chunk_body(chunk: usize) -> String {
    let mut out = String::with_capacity(CHUNK * 260);
    out.push('[');
    for i in 0..CHUNK {
        let n = chunk * CHUNK + i;
        if i > 0 {
            out.push(',');
        }
        let (d, s) = (n / 86_400 % 28 + 1, n % 86_400);
        let start = format!(
            "2024-04-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            s / 3600,
            s % 3600 / 60,
            s % 60,
            n % 1000
        );
        out.push_str(&format!(
            r#"{{"owner":"{}","collection":"TestCollection","start":"{start}","value":"heart rate sample {n} from the wearable","type":"measurement","source":"bench","externalId":"ext-{n:08}""#,
            n % 7 + 1
        ));
        // One event in three has `end` and `batch`.
        if let 0 = n % 3 {
            out.push_str(&format!(r#","end":"{start}","batch":"batch-{}""#, n / 1000));
        }
        out.push('}');
    }
    out.push(']');
    out
}

fn run_once(bodies: &[String]) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_events-emulator"))
        .args(["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the emulator");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .expect("first line")
        .to_owned();
    line.clear();
    out.read_line(&mut line).unwrap();
    let auth = format!("Bearer {}", line.trim().strip_prefix("token: ").unwrap());
    let t = Instant::now();
    for body in bodies {
        let r = http::request(
            &addr,
            "POST",
            "/api/v1/events",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(body.as_bytes()),
        )
        .expect("answer");
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let secs = t.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    EVENTS as f64 / secs
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let bodies: Vec<String> = (0..EVENTS / CHUNK).map(chunk_body).collect();
    let mb = bodies.iter().map(|b| b.len()).sum::<usize>() as f64 / 1e6;
    println!("ingest: {EVENTS} events in {} creates of {CHUNK} ({mb:.1} MB of JSON) into a file database", bodies.len());
    let mut rates = Vec::new();
    for rep in 1..=reps {
        let r = run_once(&bodies);
        println!("  run {rep}: {r:.0} events/s");
        rates.push(r);
    }
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "ingest median: {:.0} events/s over {reps} runs",
        rates[reps / 2]
    );
}
