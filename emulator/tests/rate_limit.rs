//! `--rate-limit N`: creates beyond N a second get 429 with `Retry-After`, counted in
//! the stats; queries are not limited.

mod common;

use common::{event, Emu};
use serde_json::json;

#[test]
fn creates_beyond_the_rate_get_429_with_retry_after() {
    let emu = Emu::start_args(&["--rate-limit", "3"]);
    let batch = json!([event("1", "c", "2024-01-01T00:00:00Z", 0)]);
    // Loopback creates take milliseconds: a 429 comes long before 200 of them, whatever the load.
    let mut created = 0;
    let refused = (0..200).find_map(|_| {
        let r = emu.create(&batch);
        if r.status == 201 {
            created += 1;
            None
        } else {
            Some(r)
        }
    });
    let r = refused.expect("a 429 within 200 creates at 3 a second");
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.json()["message"], "rate limit exceeded");
    assert!(created >= 3, "the first 3 of a second pass ({created})");
    assert_eq!(emu.stats()["rateLimited"], 1);
    assert_eq!(emu.stored(), created);
    // Queries are not limited.
    for _ in 0..10 {
        assert_eq!(emu.query("", &json!({})).status, 200);
    }
}
