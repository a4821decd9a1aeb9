//! Test support: a PostgreSQL database to run the store's tests against (feature
//! `test-support`; never in a release build).
//!
//! [`postgres_database`] gives each test a fresh, empty database and drops it afterwards. The
//! server is, in order:
//! 1. `QM_TEST_POSTGRES`, a connection URL to a server whose user may create databases
//!    (`postgres://qm@127.0.0.1:5432/postgres`);
//! 2. else a throwaway cluster this process starts with Debian's PostgreSQL binaries
//!    (`/usr/lib/postgresql/*/bin/initdb` and `pg_ctl`, from `apt-get install postgresql`) in a
//!    temporary directory, on a free loopback port, with trust authentication and `fsync` off.
//!    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user through
//!    `runuser`. A watchdog process stops the cluster and deletes its directory once the test
//!    process has exited, however it exits;
//! 3. else nothing: `None`, and the caller skips — unless `QM_REQUIRE_TOOLS=1`, when it panics,
//!    so CI cannot pass without having run the PostgreSQL half of the suite.

#![expect(
    clippy::panic,
    reason = "test helpers fail loudly when the environment is unfit"
)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// A PostgreSQL database that exists for one test; dropped (with its connections) on drop.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// The connection URL (`postgres://…/qm_test_…`).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

struct Server {
    /// A URL to the `postgres` database of the server, without the database part replaced.
    admin_url: String,
}

static SERVER: OnceLock<Option<Server>> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);
static CREATING: Mutex<()> = Mutex::new(());

/// A fresh database, or `None` when no PostgreSQL server can be had (see the module docs).
///
/// # Panics
/// When `QM_REQUIRE_TOOLS=1` and no server can be had, or when the server refuses to create a
/// database.
pub fn postgres_database() -> Option<TestDatabase> {
    let server = SERVER.get_or_init(find_server).as_ref()?;
    let name = format!(
        "qm_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    // `CREATE DATABASE` copies `template1` and fails while another session copies it: one at
    // a time in this process, and a few tries against other processes sharing the server.
    let _guard = CREATING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut client = postgres::Client::connect(&server.admin_url, postgres::NoTls)
        .unwrap_or_else(|error| panic!("cannot connect to the test PostgreSQL server: {error}"));
    let mut tries = 0;
    while let Err(error) = client.batch_execute(&format!("CREATE DATABASE {name}")) {
        tries += 1;
        if tries >= 10 {
            panic!("cannot create the test database `{name}`: {error}");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    Some(TestDatabase {
        url: with_database(&server.admin_url, &name),
        admin_url: server.admin_url.clone(),
        name,
    })
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (authority, query) = match rest.split_once('/') {
        Some((authority, path)) => (authority, path.split_once('?').map(|(_, query)| query)),
        None => (rest, None),
    };
    match query {
        Some(query) => format!("{scheme}://{authority}/{database}?{query}"),
        None => format!("{scheme}://{authority}/{database}"),
    }
}

fn required() -> bool {
    std::env::var("QM_REQUIRE_TOOLS").is_ok_and(|value| value == "1")
}

fn find_server() -> Option<Server> {
    if let Ok(url) = std::env::var("QM_TEST_POSTGRES") {
        return Some(Server { admin_url: url });
    }
    match start_cluster() {
        Ok(server) => Some(server),
        Err(reason) if required() => panic!(
            "QM_REQUIRE_TOOLS=1 but no PostgreSQL server for the fleet tests: {reason}; set \
             QM_TEST_POSTGRES or `apt-get install postgresql`"
        ),
        Err(reason) => {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("note: skipping the PostgreSQL half of the fleet tests: {reason}\n")
                    .as_bytes(),
            );
            None
        }
    }
}

/// The newest Debian PostgreSQL binary directory.
fn binaries() -> Result<PathBuf, String> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = fs_err::read_dir(root)
        .map_err(|error| format!("no PostgreSQL server binaries: {error}"))?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| format!("no `*/bin/pg_ctl` under `{}`", root.display()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// A command run as the cluster's owner.
fn as_owner(root: bool, program: &Path) -> Command {
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run {what}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn start_cluster() -> Result<Server, String> {
    let bin = binaries()?;
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("qm-test-postgres-")
        .tempdir()
        .map_err(|error| format!("cannot create a directory for the cluster: {error}"))?
        .keep();
    if root {
        let mut chown = Command::new("chown");
        chown.arg("postgres:").arg(&dir);
        run(chown, "chown")?;
    }
    let data = dir.join("data");
    let mut initdb = as_owner(root, &bin.join("initdb"));
    initdb.arg("-D").arg(&data).args([
        "-A",
        "trust",
        "-U",
        "qm",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    ]);
    run(initdb, "initdb")?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|error| format!("no free loopback port: {error}"))?
        .port();
    let mut start = as_owner(root, &bin.join("pg_ctl"));
    start
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(dir.join("server.log"))
        .arg("-o")
        .arg(format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            dir.display()
        ))
        .args(["-w", "-t", "60", "start"]);
    run(start, "pg_ctl start")?;
    // Stop the cluster and delete it once this process is gone, however it ends.
    let runner = if root { "runuser -u postgres -- " } else { "" };
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         {runner}'{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot start the cluster's watchdog: {error}"))?;
    Ok(Server {
        admin_url: format!("postgres://qm@127.0.0.1:{port}/postgres"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_are_rewritten() {
        assert_eq!(
            with_database("postgres://qm@127.0.0.1:5432/postgres", "x"),
            "postgres://qm@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://qm:pw@db:5432", "x"),
            "postgres://qm:pw@db:5432/x"
        );
        assert_eq!(
            with_database("postgresql://qm@db/postgres?sslmode=disable", "x"),
            "postgresql://qm@db/x?sslmode=disable"
        );
    }
}
