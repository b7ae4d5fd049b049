//! SQLite storage: events, and the recorded answers of idempotent creates.
//!
//! One writer connection (WAL, `synchronous=NORMAL`: a commit is in the WAL file before
//! the create is acknowledged, so it survives `kill -9` of the process) and, for a file
//! database, one reader connection so that queries do not wait on ingest. Callers run
//! these methods on blocking threads.

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::errors::ApiError;
use crate::filter::QuerySpec;
use crate::rfc3339;
use crate::routes::events::KEY_REUSED_MESSAGE;
use crate::validate::NewEvent;

/// How long an `Idempotency-Key` answer is kept: the contract's window.
pub const IDEMPOTENCY_TTL_MS: i64 = genomcore_events_core::contract::IDEMPOTENCY_WINDOW_SECS as i64 * 1000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a replayed answer's ids stay unique
    owner       TEXT NOT NULL,
    collection  TEXT NOT NULL,
    start_text  TEXT NOT NULL,
    start_key   TEXT NOT NULL, -- instant as fixed-width digits (rfc3339::Instant::key)
    end_text    TEXT,
    end_key     TEXT,
    value_text  TEXT NOT NULL,
    type_text   TEXT NOT NULL,
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    batch       TEXT,
    created_ms  INTEGER NOT NULL
);
-- Serves the SDK's example (collection and owner filters, sort by start descending, id
-- ascending within a start) and delete by collection, with a single index to maintain.
CREATE INDEX IF NOT EXISTS events_by_collection_owner_start
    ON events (collection, owner, start_key DESC);
-- The answers of keyed creates: only 201s, bound to the body's fingerprint (SHA-256
-- hex; '' for an answer recorded before fingerprints existed, which replays for any body).
CREATE TABLE IF NOT EXISTS idempotency (
    user_sub    TEXT NOT NULL,
    key         TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    fingerprint TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_sub, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_by_time ON idempotency (created_ms);
";

/// `PRAGMA user_version` of the schema above. 0: before idempotency fingerprints.
const SCHEMA_VERSION: i64 = 1;

/// Brings a database file of an earlier emulator up to `SCHEMA_VERSION`, in place.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 1 {
        // Version 0 recorded 400s as well and had no fingerprint column.
        let has_fingerprint: bool = tx.query_row(
            "SELECT count(*) FROM pragma_table_info('idempotency') WHERE name = 'fingerprint'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_fingerprint {
            tx.execute_batch(
                "ALTER TABLE idempotency ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
            )?;
        }
        tx.execute("DELETE FROM idempotency WHERE status <> 201", [])?;
    }
    if version < SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()
}

const INSERT: &str =
    "INSERT INTO events (owner, collection, start_text, start_key, end_text, end_key, \
    value_text, type_text, source, external_id, batch, created_ms) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

const COLUMNS: &str =
    "id, owner, collection, start_text, end_text, value_text, type_text, source, \
    external_id, batch, created_ms";

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Ids are text whose order is insertion order.
pub fn format_id(rowid: i64) -> String {
    format!("{rowid:016}")
}

/// What a create does after validation.
pub enum CreatePlan<'a> {
    Insert(Vec<NewEvent<'a>>),
    /// A refused create: its answer is sent, not recorded.
    Refuse(u16, String),
}

/// An answer to send as is: status and JSON body, and whether it was replayed.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

struct Writer {
    conn: Connection,
    last_purge_ms: i64,
    /// `--sink`: ids are counted here, nothing is stored.
    next_sink_id: i64,
}

pub struct Store {
    writer: Mutex<Writer>,
    reader: Option<Mutex<Connection>>,
    sink: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves SQLite consistent (transactions roll back).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn open(path: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

#[derive(Serialize)]
struct StoredEvent<'r> {
    id: String,
    owner: &'r str,
    collection: &'r str,
    start: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<&'r str>,
    value: &'r str,
    #[serde(rename = "type")]
    type_: &'r str,
    source: &'r str,
    #[serde(rename = "externalId")]
    external_id: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<&'r str>,
    #[serde(rename = "createdAt")]
    created_at: String,
}

impl Store {
    pub fn open(path: &str, sink: bool) -> rusqlite::Result<Store> {
        let mut conn = open(path)?;
        migrate(&mut conn)?;
        let last_id: i64 = conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        // `:memory:` is one database per connection: it gets no separate reader.
        let reader = if path == ":memory:" || path.is_empty() {
            None
        } else {
            Some(Mutex::new(open(path)?))
        };
        Ok(Store {
            writer: Mutex::new(Writer {
                conn,
                last_purge_ms: 0,
                next_sink_id: last_id + 1,
            }),
            reader,
            sink,
        })
    }

    fn with_reader<R>(&self, f: impl FnOnce(&Connection) -> R) -> R {
        match &self.reader {
            Some(r) => f(&lock(r)),
            None => f(&lock(&self.writer).conn),
        }
    }

    /// Runs a create. With a key (and the body's fingerprint): a recorded answer for
    /// (user, key) is replayed when the fingerprint matches and refused with `422` when
    /// it does not; else the plan runs. Only a `201` is recorded, in the same
    /// transaction as its events.
    pub fn create(
        &self,
        user: &str,
        key: Option<(&str, &str)>,
        plan: CreatePlan,
    ) -> rusqlite::Result<Answer> {
        let mut w = lock(&self.writer);
        let now = now_ms();
        let sink = self.sink;
        if key.is_some() && now - w.last_purge_ms > 60_000 {
            w.conn.execute(
                "DELETE FROM idempotency WHERE created_ms < ?1",
                [now - IDEMPOTENCY_TTL_MS],
            )?;
            w.last_purge_ms = now;
        }
        let Writer {
            conn, next_sink_id, ..
        } = &mut *w;
        let tx = conn.transaction()?;
        if let Some((k, fingerprint)) = key {
            let seen: Option<(u16, String, String)> = tx
                .prepare_cached(
                    "SELECT status, body, fingerprint FROM idempotency WHERE user_sub = ?1 AND key = ?2 AND created_ms >= ?3",
                )?
                .query_row(params![user, k, now - IDEMPOTENCY_TTL_MS], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            if let Some((status, body, recorded)) = seen {
                if recorded.is_empty() || recorded == fingerprint {
                    return Ok(Answer {
                        status,
                        body,
                        replayed: true,
                    });
                }
                let e = ApiError::unprocessable(KEY_REUSED_MESSAGE);
                return Ok(Answer {
                    status: e.status.as_u16(),
                    body: e.body(),
                    replayed: false,
                });
            }
        }
        let events = match plan {
            CreatePlan::Refuse(status, body) => {
                return Ok(Answer {
                    status,
                    body,
                    replayed: false,
                })
            }
            CreatePlan::Insert(events) => events,
        };
        let mut ids = Vec::with_capacity(events.len());
        if sink {
            for _ in &events {
                ids.push(*next_sink_id);
                *next_sink_id += 1;
            }
        } else {
            let mut stmt = tx.prepare_cached(INSERT)?;
            for e in &events {
                stmt.execute(params![
                    e.owner,
                    e.collection,
                    e.start,
                    e.start_key,
                    e.end,
                    e.end_key,
                    e.value,
                    e.type_,
                    e.source,
                    e.external_id,
                    e.batch,
                    now
                ])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        let mut body = String::with_capacity(32 + ids.len() * 19);
        body.push_str(&format!("{{\"created\":{},\"ids\":[", ids.len()));
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push('"');
            body.push_str(&format_id(*id));
            body.push('"');
        }
        body.push_str("]}");
        if let Some((k, fingerprint)) = key {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO idempotency (user_sub, key, status, body, created_ms, fingerprint) VALUES (?1, ?2, 201, ?3, ?4, ?5)",
            )?
            .execute(params![user, k, body, now, fingerprint])?;
        }
        tx.commit()?;
        Ok(Answer {
            status: 201,
            body,
            replayed: false,
        })
    }

    /// One page of matches and the number of all matches, as the answer's JSON.
    pub fn query(&self, q: &QuerySpec, page: u64, page_size: u64) -> rusqlite::Result<String> {
        self.with_reader(|conn| {
            // One read transaction: `total` and `items` come from the same snapshot.
            let conn = conn.unchecked_transaction()?;
            let total: i64 = conn
                .prepare_cached(&format!(
                    "SELECT count(*) FROM events WHERE {}",
                    q.where_sql
                ))?
                .query_row(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0))?;
            let offset = page.saturating_mul(page_size).min(i64::MAX as u64) as i64;
            let sql = format!(
                "SELECT {COLUMNS} FROM events WHERE {} ORDER BY {} LIMIT ? OFFSET ?",
                q.where_sql, q.order_sql
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let paging = [Sql::Integer(page_size as i64), Sql::Integer(offset)];
            let mut rows = stmt.query(rusqlite::params_from_iter(
                q.params.iter().chain(paging.iter()),
            ))?;
            let mut out = Vec::with_capacity(4096);
            out.extend_from_slice(b"{\"items\":[");
            let mut first = true;
            while let Some(r) = rows.next()? {
                let text = |i: usize| -> rusqlite::Result<&str> { Ok(r.get_ref(i)?.as_str()?) };
                let opt = |i: usize| -> rusqlite::Result<Option<&str>> {
                    Ok(r.get_ref(i)?.as_str_or_null()?)
                };
                let ev = StoredEvent {
                    id: format_id(r.get(0)?),
                    owner: text(1)?,
                    collection: text(2)?,
                    start: text(3)?,
                    end: opt(4)?,
                    value: text(5)?,
                    type_: text(6)?,
                    source: text(7)?,
                    external_id: text(8)?,
                    batch: opt(9)?,
                    created_at: rfc3339::format_ms(r.get(10)?),
                };
                if !first {
                    out.push(b',');
                }
                first = false;
                serde_json::to_writer(&mut out, &ev).expect("serializing to memory");
            }
            out.extend_from_slice(
                format!("],\"page\":{page},\"pageSize\":{page_size},\"total\":{total}}}")
                    .as_bytes(),
            );
            drop(rows);
            drop(stmt);
            conn.commit()?;
            Ok(String::from_utf8(out).expect("JSON is UTF-8"))
        })
    }

    pub fn delete_collection(&self, collection: &str) -> rusqlite::Result<usize> {
        let w = lock(&self.writer);
        let n = w
            .conn
            .prepare_cached("DELETE FROM events WHERE collection = ?1")?
            .execute([collection])?;
        Ok(n)
    }

    pub fn count(&self) -> rusqlite::Result<i64> {
        self.with_reader(|conn| conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)))
    }

    /// The plan SQLite picks for a query (used by tests to check the indexes serve it).
    #[cfg(test)]
    pub fn explain(&self, q: &QuerySpec) -> rusqlite::Result<Vec<String>> {
        self.with_reader(|conn| {
            let sql = format!(
                "EXPLAIN QUERY PLAN SELECT {COLUMNS} FROM events WHERE {} ORDER BY {} LIMIT 10",
                q.where_sql, q.order_sql
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(q.params.iter()), |r| {
                r.get::<_, String>(3)
            })?;
            rows.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_example_uses_the_index_for_filter_and_sort() {
        let s = Store::open(":memory:", false).unwrap();
        let q = crate::filter::parse(br#"{"filter": {"owner": {"$in": [1]}, "collection": {"$in": ["TestCollection"]}}, "sort": {"start": -1}, "beforeDate": "2024-04-01", "afterDate": "2024-04-08"}"#).unwrap();
        let plan = s.explain(&q).unwrap().join("\n");
        assert!(plan.contains("events_by_collection_owner_start"), "{plan}");
        assert!(!plan.contains("USE TEMP B-TREE FOR ORDER BY"), "{plan}");
    }
}
