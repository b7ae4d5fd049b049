//! The OpenAPI 3.1 document (`/api/docs-json`) and a readable page (`/api/docs`), where
//! NestJS services publish theirs. The page is built from the document, with no scripts
//! from elsewhere, so it works offline.

use axum::response::{Html, Response};
use http::StatusCode;
use serde_json::Value;

use crate::errors::json_response;

pub const OPENAPI: &str = include_str!("openapi.json");

pub async fn json() -> Response {
    json_response(StatusCode::OK, OPENAPI)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn page() -> Html<String> {
    let doc: Value = serde_json::from_str(OPENAPI).expect("openapi.json is valid JSON");
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let mut html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
         code,pre{{background:#f4f4f4;padding:.1rem .3rem}}pre{{padding:1rem;overflow:auto}}\
         .m{{display:inline-block;min-width:4.5rem;font-weight:bold}}li{{margin:.4rem 0}}</style></head><body>\
         <h1>{t}</h1><p>{d}</p><p>Machine-readable document: <a href=\"/api/docs-json\">/api/docs-json</a></p><h2>Routes</h2><ul>",
        t = esc(title),
        d = esc(doc["info"]["description"].as_str().unwrap_or(""))
    );
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let codes: Vec<&str> = op["responses"]
                    .as_object()
                    .map(|r| r.keys().map(|k| k.as_str()).collect())
                    .unwrap_or_default();
                html.push_str(&format!(
                    "<li><span class=\"m\">{}</span><code>{}</code> — {} <small>({})</small></li>",
                    esc(&method.to_uppercase()),
                    esc(path),
                    esc(op["summary"].as_str().unwrap_or("")),
                    esc(&codes.join(", "))
                ));
            }
        }
    }
    html.push_str("</ul><h2>Document</h2><pre>");
    html.push_str(&esc(&serde_json::to_string_pretty(&doc).unwrap_or_default()));
    html.push_str("</pre></body></html>");
    Html(html)
}
