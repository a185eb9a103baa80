//! The ConsentKit receipt receiver (docs/receipts.md): `POST /v1/receipts` verifies and stores signed consent
//! receipts in PostgreSQL, `GET /v1/installs/{id}/consent?at=TIME` replays what an install had consented to, and
//! `GET /v1/purposes/{id}/stats` counts a purpose's grants, refusals and withdrawals by policy version.
//!
//! Rooms: [`wire`] (the format), [`verify`] (checks before storage), [`ingest`] (the transaction), [`query`],
//! [`migrate`], [`error`]; [`client`] is the small HTTP client of the tests and the benchmark.

pub mod client;
pub mod error;
pub mod ingest;
pub mod migrate;
pub mod query;
pub mod verify;
pub mod wire;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

use error::ApiError;

/// Settings of one receiver.
#[derive(Debug, Clone)]
pub struct Config {
    /// Most receipts in one batch (the device sends at most 500).
    pub max_batch: usize,
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Test hook: wait this long inside each batch's transaction before committing (`CK_RECEIVER_STALL_MS`).
    pub stall: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_batch: 500, max_body: 2 * 1024 * 1024, stall: None }
    }
}

#[derive(Clone)]
struct AppState {
    pool: Pool,
    config: Arc<Config>,
}

/// A connection pool for `url` (libpq key=value or `postgres://` form).
pub fn pool(url: &str, size: usize) -> Result<Pool, String> {
    let pg = tokio_postgres::Config::from_str(url).map_err(|e| format!("database url: {e}"))?;
    let manager = Manager::from_config(pg, tokio_postgres::NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager).max_size(size).build().map_err(|e| format!("pool: {e}"))
}

/// The HTTP routes over `pool`.
pub fn router(pool: Pool, config: Config) -> Router {
    let limit = config.max_body;
    Router::new()
        .route("/v1/receipts", post(post_receipts))
        .route("/v1/installs/{id}/consent", get(get_consent))
        .route("/v1/purposes/{id}/stats", get(get_stats))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { pool, config: Arc::new(config) })
}

async fn post_receipts(
    State(s): State<AppState>,
    body: Result<Json<wire::Batch>, JsonRejection>,
) -> Result<Json<ingest::Ingested>, ApiError> {
    let Json(batch) = body.map_err(|e| {
        let code = match &e {
            JsonRejection::JsonSyntaxError(_) => "malformed_json",
            JsonRejection::JsonDataError(_) => "invalid_batch",
            JsonRejection::MissingJsonContentType(_) => "not_json",
            _ if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
            _ => "unreadable_body",
        };
        ApiError::new(e.status(), code, e.body_text())
    })?;
    Ok(Json(ingest::ingest(&s.pool, batch, s.config.max_batch, s.config.stall).await?))
}

async fn get_consent(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<query::ConsentAt>, ApiError> {
    if !verify::valid_install_id(&id) {
        return Err(ApiError::bad("invalid_install_id", "install ids are 8-64 characters of [0-9A-Za-z-]"));
    }
    let at = query::parse_at(q.get("at").map(String::as_str))?;
    Ok(Json(query::consent_at(&s.pool, &id, at).await?))
}

async fn get_stats(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<query::PurposeStats>, ApiError> {
    Ok(Json(query::purpose_stats(&s.pool, &id).await?))
}
