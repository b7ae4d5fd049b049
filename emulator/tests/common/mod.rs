//! Starts the real emulator binary and speaks HTTP to it. Every JSON answer that goes
//! through `Emu::call` is checked against the OpenAPI document the emulator serves.
#![allow(dead_code)]

pub mod http;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub use self::http::Resp;

pub const BIN: &str = env!("CARGO_BIN_EXE_events-emulator");

pub struct Emu {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The ready access token printed on start (user `demo`).
    pub token: String,
    doc: Mutex<Option<Value>>,
    validators: Mutex<HashMap<String, jsonschema::Validator>>,
}

/// Arguments every test emulator gets unless it names its own.
pub fn default_args() -> Vec<String> {
    ["--addr", "127.0.0.1:0", "--db", ":memory:", "--test-hooks"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

impl Emu {
    /// An emulator on a free port with an in-memory database and the test hooks.
    pub fn start() -> Emu {
        Self::start_args(&[])
    }

    /// The default arguments followed by `extra` (later flags win).
    pub fn start_args(extra: &[&str]) -> Emu {
        let mut args = default_args();
        args.extend(extra.iter().map(|s| s.to_string()));
        Self::spawn(&args, Stdio::inherit())
    }

    pub fn spawn(args: &[String], stderr: Stdio) -> Emu {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .stdin(Stdio::null())
            .spawn()
            .expect("start the emulator");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).expect("first line");
        let base = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        line.clear();
        out.read_line(&mut line).expect("second line");
        let token = line
            .trim_end()
            .strip_prefix("token: ")
            .expect("token line")
            .to_owned();
        line.clear();
        out.read_line(&mut line).expect("third line");
        assert_eq!(line.trim_end(), format!("api: {base}/api/v1"));
        let addr = base.strip_prefix("http://").unwrap().to_owned();
        Emu {
            child,
            _stdout: out,
            addr,
            base,
            token,
            doc: Mutex::new(None),
            validators: Mutex::new(HashMap::new()),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The child's stderr, when it was spawned with `Stdio::piped()`.
    pub fn take_stderr(&mut self) -> std::process::ChildStderr {
        self.child.stderr.take().expect("stderr was piped")
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// A request whose answer may be missing (faults); JSON answers are checked against
    /// the OpenAPI document.
    pub fn try_call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::io::Result<Resp> {
        let r = http::request(&self.addr, method, path, headers, body)?;
        self.check_against_openapi(method, path, &r);
        Ok(r)
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        self.try_call(method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"))
    }

    /// An authorized JSON request with the ready token.
    pub fn api(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let auth = self.bearer();
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        let mut h = vec![("Authorization", auth.as_str())];
        if bytes.is_some() {
            h.push(("Content-Type", "application/json"));
        }
        self.call(method, path, &h, bytes.as_deref())
    }

    pub fn create(&self, events: &Value) -> Resp {
        self.api("POST", "/api/v1/events", Some(events))
    }

    pub fn create_ok(&self, events: &Value) -> Vec<String> {
        let r = self.create(events);
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    pub fn query(&self, qs: &str, body: &Value) -> Resp {
        self.api("POST", &format!("/api/v1/events/query{qs}"), Some(body))
    }

    /// A query whose body is sent exactly as written (key order kept).
    pub fn query_raw_ok(&self, qs: &str, body: &str) -> Value {
        let auth = self.bearer();
        let r = self.call(
            "POST",
            &format!("/api/v1/events/query{qs}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    pub fn query_ok(&self, qs: &str, body: &Value) -> Value {
        let r = self.query(qs, body);
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    /// Ids of the items of one query answer, in order.
    pub fn ids(answer: &Value) -> Vec<String> {
        answer["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn stats(&self) -> Value {
        let r = self.call("GET", "/__emulator/stats", &[], None);
        assert_eq!(r.status, 200);
        r.json()
    }

    pub fn stored(&self) -> i64 {
        self.stats()["events"].as_i64().unwrap()
    }

    pub fn faults(&self, plan: &Value) {
        let r = self.call(
            "POST",
            "/__emulator/faults",
            &[("Content-Type", "application/json")],
            Some(plan.to_string().as_bytes()),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }

    pub fn login(&self, user: &str) -> (String, String) {
        let body = json!({"username": user, "password": "pw", "organizationId": "org"}).to_string();
        let r = self.call(
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        (
            v["token"].as_str().unwrap().to_owned(),
            v["refreshToken"].as_str().unwrap().to_owned(),
        )
    }

    /// The served OpenAPI document (fetched once).
    pub fn openapi(&self) -> Value {
        let mut doc = self.doc.lock().unwrap();
        if doc.is_none() {
            let r =
                http::request(&self.addr, "GET", "/api/docs-json", &[], None).expect("docs-json");
            assert_eq!(r.status, 200);
            *doc = Some(r.json());
        }
        doc.clone().unwrap()
    }

    /// Checks a JSON answer against the schema the document gives for that path, method
    /// and status (or `default`); an answer the document does not describe fails.
    pub fn check_against_openapi(&self, method: &str, path_and_query: &str, r: &Resp) {
        // A gzip-compressed answer (the request accepted gzip) is checked by its test.
        if !r
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
            || r.header("content-encoding").is_some()
        {
            return;
        }
        let path = path_and_query.split('?').next().unwrap();
        let doc = self.openapi();
        let status = r.status.to_string();
        let pointer = match doc["paths"]
            .get(path)
            .and_then(|p| p.get(method.to_lowercase()))
        {
            Some(op) => {
                let code = if op["responses"].get(&status).is_some() {
                    status.clone()
                } else {
                    "default".to_string()
                };
                assert!(
                    op["responses"].get(&code).is_some(),
                    "{method} {path} answered {status}, which the OpenAPI document does not describe: {}",
                    r.text()
                );
                format!(
                    "/paths/{}/{}/responses/{code}/content/application~1json/schema",
                    path.replace('~', "~0").replace('/', "~1"),
                    method.to_lowercase()
                )
            }
            // Unknown routes answer the NestJS error shape.
            None => "/components/schemas/Error".to_string(),
        };
        let mut cache = self.validators.lock().unwrap();
        let v = cache
            .entry(pointer.clone())
            .or_insert_with(|| schema_validator(&doc, &pointer));
        let body = r.json();
        if let Err(e) = v.validate(&body) {
            panic!("{method} {path} {status}: answer does not match the OpenAPI schema at {pointer}: {e}\n{body}");
        }
    }
}

/// A validator for the schema at `pointer` inside the document, whose `$ref`s resolve
/// against the document itself.
pub fn schema_validator(doc: &Value, pointer: &str) -> jsonschema::Validator {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "paths": doc["paths"],
        "$ref": format!("#{pointer}"),
    });
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema at {pointer}: {e}"))
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A valid event; `i` varies externalId and value.
pub fn event(owner: &str, collection: &str, start: &str, i: usize) -> Value {
    json!({
        "owner": owner,
        "collection": collection,
        "start": start,
        "value": format!("message {i}"),
        "type": "note",
        "source": "test",
        "externalId": format!("ext-{i}"),
    })
}

/// Waits until `f` is true or the time is up.
pub fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
