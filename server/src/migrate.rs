//! Schema migrations: the SQL files of `server/migrations/`, applied in order, each once, each in its own
//! transaction, recorded in `schema_migrations`. Run at every start; concurrent starts serialise on an advisory lock.

use deadpool_postgres::Pool;

/// The migrations, in order: (name, SQL). Files are never edited once released; a change is a new file.
pub const MIGRATIONS: &[(&str, &str)] = &[("0001_receipts", include_str!("../migrations/0001_receipts.sql"))];

/// Applies the migrations not applied yet; returns how many ran.
pub async fn migrate(pool: &Pool) -> Result<usize, String> {
    let mut client = pool.get().await.map_err(|e| format!("database: {e}"))?;
    let err = |e: tokio_postgres::Error| format!("migration: {e}");
    let mut ran = 0;
    for (name, sql) in MIGRATIONS {
        let tx = client.transaction().await.map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock(2105)", &[]).await.map_err(err)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            .await
            .map_err(err)?;
        let done = tx.query_opt("SELECT 1 FROM schema_migrations WHERE name = $1", &[name]).await.map_err(err)?;
        if done.is_none() {
            tx.batch_execute(sql).await.map_err(err)?;
            tx.execute("INSERT INTO schema_migrations (name) VALUES ($1)", &[name]).await.map_err(err)?;
            ran += 1;
        }
        tx.commit().await.map_err(err)?;
    }
    Ok(ran)
}
