//! A real `pathtrace serve` on a loopback port for the binary's tests.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server: killed, and its data directory removed, when dropped
/// (also when the test fails).
pub struct Server {
    pub child: Child,
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Whether the server answers `GET /metrics` (no token needed) with 200.
pub fn ready(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

pub fn start_server() -> Server {
    start_server_with(&[])
}

/// A server started with `extra` arguments after the defaults (e.g. the
/// network to serve).
pub fn start_server_with(extra: &[&std::ffi::OsStr]) -> Server {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let data_dir =
        std::env::temp_dir().join(format!("pathtrace-loadgen-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&data_dir).expect("a temporary data directory");
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
    let child = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["serve", "--tls-listen", "off", "--listen"])
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(&data_dir)
        .args(extra)
        .env("PATHTRACE_LOG", "warn")
        .env_remove("PATHTRACE_CONFIG")
        .env_remove("PATHTRACE_DATABASE_URL")
        .env_remove("PATHTRACE_NETWORK")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut server = Server {
        child,
        data_dir,
        addr,
    };
    let start = Instant::now();
    while !ready(server.addr) {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("the server exited before it was ready: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_mins(1),
            "the server was not ready within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// One HTTP/1.1 exchange (`Connection: close`): status and body.
pub fn http(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_mins(1))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    for (k, v) in headers {
        let _ = write!(req, "{k}: {v}\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status");
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "this helper reads whole bodies only"
    );
    (status, body.to_string())
}

/// Log in as the demo user: a token.
pub fn login(addr: SocketAddr) -> String {
    let (status, body) = http(
        addr,
        "POST",
        "/api/system/v1/auth/token",
        // devnetuser:Cisco123!
        &[("Authorization", "Basic ZGV2bmV0dXNlcjpDaXNjbzEyMyE=")],
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["Token"]
        .as_str()
        .expect("a token")
        .to_string()
}
