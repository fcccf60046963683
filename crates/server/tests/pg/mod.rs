//! A throwaway PostgreSQL cluster for tests: `initdb` and `pg_ctl` (as the
//! `postgres` user, which they require when run as root) into a temporary
//! directory, listening on a free loopback port; stopped and removed on
//! drop. Shared by the store tests and the binary's multi-replica tests
//! (`crates/cli/tests/replicas.rs` includes this file).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

pub fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "pathtrace-{tag}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A throwaway PostgreSQL cluster, stopped and removed on drop.
/// A running throwaway cluster.
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Postgres {
    /// A new cluster, started.
    pub fn start() -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|rd| rd.filter_map(Result::ok).map(|e| e.path().join("bin")).find(|b| b.join("initdb").is_file()))
            .expect("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): install the postgresql package");
        let dir = tempdir("pg");
        run(Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir));
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(dir.join("data")));
        let pg = Postgres {
            dir,
            bin,
            port: free_port(),
        };
        pg.start_again();
        pg
    }

    /// Start the (stopped) cluster again, on the same port.
    pub fn start_again(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        run(self
            .pg_ctl()
            .args(["-w", "-t", "60", "-D"])
            .arg(self.dir.join("data"))
            .args(["-l"])
            .arg(self.dir.join("log"))
            .args(["-o", &opts, "start"]));
    }

    /// Stop the cluster (`-m fast`: sessions are disconnected at once).
    pub fn stop(&self) {
        run(self
            .pg_ctl()
            .args(["-w", "-m", "fast", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop"));
    }

    fn pg_ctl(&self) -> Command {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"));
        c
    }

    /// The URL to connect with.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Run one SQL query with `psql`: its rows, `|`-separated, one per line.
    pub fn query(&self, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-A",
                "-t",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-p",
            ])
            .arg(self.port.to_string())
            .args(["-c", sql])
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"));
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
