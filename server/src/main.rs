//! `consentkit-receiver`: serves the receipt API (docs/receipts.md).
//!
//! Environment: `CK_DATABASE_URL` (required; libpq `key=value` or `postgres://`), `CK_LISTEN` (default
//! `127.0.0.1:8080`; port 0 picks one), `CK_POOL` (connections, default 16), `CK_MAX_BATCH` (default 500),
//! `CK_RECEIVER_STALL_MS` (tests only). Prints `listening on ADDR` once it accepts connections.

use std::time::Duration;

fn env_num(name: &str, default: usize) -> Result<usize, String> {
    std::env::var(name).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{name} must be a number")))
}

async fn run() -> Result<(), String> {
    let url = std::env::var("CK_DATABASE_URL").map_err(|_| "CK_DATABASE_URL is not set".to_string())?;
    let listen = std::env::var("CK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let pool = consentkit_receiver::pool(&url, env_num("CK_POOL", 16)?)?;
    let ran = consentkit_receiver::migrate::migrate(&pool).await?;
    let stall = env_num("CK_RECEIVER_STALL_MS", 0)?;
    let config = consentkit_receiver::Config {
        max_batch: env_num("CK_MAX_BATCH", 500)?,
        stall: (stall > 0).then(|| Duration::from_millis(stall as u64)),
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("migrations applied: {ran}");
    println!("listening on {addr}");
    axum::serve(listener, consentkit_receiver::router(pool, config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("consentkit-receiver: {e}");
        std::process::exit(1);
    }
}
