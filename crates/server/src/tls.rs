//! TLS for the HTTPS listener: the configured certificate and key, or a
//! self-signed pair generated on first start and kept in the data directory
//! (uniq speaks only https and never verifies, so the APIC-EM notebook then
//! runs unchanged).

use std::path::{Path, PathBuf};

/// The certificate and key files to serve, generating a self-signed pair in
/// `data_dir` when none is configured and none was generated before.
pub fn ensure_cert(
    data_dir: &Path,
    cert: Option<&Path>,
    key: Option<&Path>,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    if let (Some(c), Some(k)) = (cert, key) {
        return Ok((c.to_path_buf(), k.to_path_buf()));
    }
    if cert.is_some() != key.is_some() {
        anyhow::bail!("tls_cert and tls_key must be given together");
    }
    let (c, k) = (data_dir.join("tls-cert.pem"), data_dir.join("tls-key.pem"));
    if c.is_file() && k.is_file() {
        return Ok((c, k));
    }
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let pair = rcgen::generate_simple_self_signed(names)?;
    std::fs::write(&c, pair.cert.pem())?;
    write_private(&k, &pair.signing_key.serialize_pem())?;
    tracing::info!(cert = %c.display(), "generated a self-signed certificate");
    Ok((c, k))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, text)
    }
}
