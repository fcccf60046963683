//! A real pathtrace server for the SDK's tests: in-process on 127.0.0.1,
//! SQLite in memory, the demo network, the demo user.

/// A running server; dropped with the test's runtime.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    _dir: tempfile::TempDir,
}

/// Start one.
pub async fn server() -> anyhow::Result<Server> {
    let dir = tempfile::tempdir()?;
    let settings = pathtrace_server::config::resolve(pathtrace_server::config::Overrides {
        database_url: Some("sqlite::memory:".into()),
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })?;
    let (_state, router) = pathtrace_server::prepare(&settings).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(Server {
        base: format!("http://{addr}"),
        _dir: dir,
    })
}
