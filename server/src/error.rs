//! The receiver's errors, each one HTTP answer: a status and a JSON body `{"error": code, "detail": text}` that
//! tells the uploading app (or its developer) what to fix. 4xx: the request is wrong and retrying it unchanged will
//! not help; 5xx: the receiver or its database failed and a retry may.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// One error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable error code (`error` in the body).
    pub code: &'static str,
    /// What is wrong, for people.
    pub detail: String,
    /// Extra fields of the body (the forks found, ...).
    pub extra: Option<serde_json::Value>,
}

impl ApiError {
    /// An error answer.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, detail: detail.into(), extra: None }
    }
    /// 400: a request the receiver cannot read or that breaks the format.
    pub fn bad(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    /// 503: the database failed (nothing of the batch was stored; retry later).
    pub fn db(e: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", format!("database: {e}"))
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        ApiError::db(e)
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        ApiError::db(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.code, "detail": self.detail });
        if let (Some(extra), Some(map)) = (self.extra, body.as_object_mut()) {
            if let Some(extra) = extra.as_object() {
                map.extend(extra.clone());
            }
        }
        (self.status, Json(body)).into_response()
    }
}
