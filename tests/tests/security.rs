//! Only holders of the cluster secret get an answer: clients and nodes with no key
//! or a wrong one are refused with a clear message; garbage, hang-ups and silence
//! on any port crash nothing; schedd's generated key is private and survives a
//! restart. Only native code aotc produced is ever loaded: a precompiled upload is
//! refused, and a tampered cached artifact is compiled or fetched again.

use fbatch_tests::{wasm, Cluster, KEY_ENV};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A key file holding a key that is not the cluster's.
fn wrong_key(c: &Cluster) -> PathBuf {
    let path = c.dir().join("wrong.key");
    std::fs::write(&path, "0123456789abcdef0123456789abcdef\n").unwrap();
    path
}

fn refused_message(cmd: &str, c: &Cluster) -> String {
    format!(
        "{cmd}: error: schedd at {} refused the connection: wrong or missing cluster secret \
         (use --secret-file or FBATCH_SECRET_FILE)\n",
        c.addr
    )
}

/// Runs `cmd args` as a client with `key` for the key file (None: no key given).
fn run_with_key(c: &Cluster, key: Option<&Path>, cmd: &str, args: &[&str]) -> (i32, String) {
    let mut command = c.command(cmd);
    match key {
        Some(k) => command.env(KEY_ENV, k),
        None => command.env_remove(KEY_ENV),
    };
    let out = command.args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Where a noded's Peer service listens, from its log.
fn peer_addr(c: &Cluster, node: &str) -> String {
    let log = c.log(node);
    let line = log
        .lines()
        .find_map(|l| l.split_once("peer service on ").map(|(_, a)| a.trim()))
        .unwrap_or_else(|| panic!("no peer address in the log of {node}:\n{log}"));
    line.to_string()
}

#[test]
fn a_client_with_a_wrong_key_is_refused_with_a_clear_message() {
    let mut c = Cluster::start(&[("node0", 1)]);
    let wrong = wrong_key(&c);
    for cmd in ["fqueue", "finfo", "fcancel"] {
        let args: &[&str] = if cmd == "fcancel" { &["1"] } else { &[] };
        let (code, stderr) = run_with_key(&c, Some(&wrong), cmd, args);
        assert_eq!(code, 1, "{cmd}: {stderr}");
        assert_eq!(stderr, refused_message(cmd, &c));
    }
    // --secret-file wins over the environment.
    let r = c
        .command("fqueue")
        .arg("--secret-file")
        .arg(&wrong)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        refused_message("fqueue", &c)
    );
    assert!(c
        .log("schedd")
        .contains("the client does not hold the cluster secret"));
    c.ok("fqueue", &[]);
    c.assert_daemons_alive();
}

#[test]
fn a_client_without_a_key_is_told_which_files_it_tried() {
    let mut c = Cluster::start(&[]);
    let (code, stderr) = run_with_key(&c, None, "fqueue", &[]);
    assert_eq!(code, 1, "{stderr}");
    if Path::new("/etc/fbatch/cluster.key").exists() {
        // This machine has a deployed key, which is not this cluster's.
        assert_eq!(stderr, refused_message("fqueue", &c));
    } else {
        assert_eq!(
            stderr,
            "fqueue: error: no cluster secret: --secret-file not given, FBATCH_SECRET_FILE \
             not set, and /etc/fbatch/cluster.key does not exist (use --secret-file or \
             FBATCH_SECRET_FILE)\n"
        );
    }
    let missing = c.dir().join("no-such.key");
    let (code, stderr) = run_with_key(&c, Some(&missing), "fsub", &["-n", "1", "x"]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with(&format!(
            "fsub: error: cannot read the cluster secret {}: ",
            missing.display()
        )),
        "{stderr}"
    );
    c.ok("finfo", &[]);
    c.assert_daemons_alive();
}

#[test]
fn a_noded_with_a_wrong_key_never_registers() {
    let mut c = Cluster::start(&[("node0", 2)]);
    let wrong = wrong_key(&c);
    c.spawn_node("intruder", 2, &wrong);
    c.wait_for(Duration::from_secs(20), || {
        c.log("intruder")
            .matches("wrong or missing cluster secret")
            .count()
            >= 2
    });
    let names: Vec<_> = c
        .nodes_json()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["node0"]);
    assert!(c
        .log("schedd")
        .contains("the client does not hold the cluster secret"));
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["-n", "2", "--wait", "hellompi"]);
    assert_eq!(c.job(id)["nodes"], serde_json::json!(["node0"]));
    c.assert_daemons_alive();
}

/// Connects to `addr`, sends `bytes` (if any), and returns how long the server
/// took to close the connection (it must, within `limit`).
fn closed_within(addr: &str, bytes: &[u8], limit: Duration) -> Duration {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(limit)).unwrap();
    if !bytes.is_empty() {
        let _ = s.write_all(bytes);
    }
    let mut sink = Vec::new();
    match s.read_to_end(&mut sink) {
        Ok(_) => assert!(sink.len() <= 41, "{addr} sent more than a hello: {sink:?}"),
        // Closing with our bytes unread resets the connection: closed as well.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("{addr} kept the connection open: {e}"),
    }
    start.elapsed()
}

#[test]
fn garbage_hangups_and_silence_on_any_port_crash_nothing() {
    let mut c = Cluster::start(&[("node0", 2), ("node1", 2)]);
    let ports = [c.addr.clone(), peer_addr(&c, "node0")];
    // Silent clients, open meanwhile: each server drops them after its timeout.
    let silent: Vec<_> = ports
        .iter()
        .map(|a| {
            let a = a.clone();
            std::thread::spawn(move || closed_within(&a, b"", Duration::from_secs(15)))
        })
        .collect();
    let mut hello_with_a_bad_proof = b"fbatch\x00\x01".to_vec();
    hello_with_a_bad_proof.extend_from_slice(&[7; 32 + 32]);
    for addr in &ports {
        drop(TcpStream::connect(addr).unwrap());
        closed_within(addr, &[0xff; 4096], Duration::from_secs(10));
        closed_within(
            addr,
            b"GET / HTTP/1.1\r\nHost: fbatch\r\nUser-Agent: test\r\n\r\n",
            Duration::from_secs(10),
        );
        closed_within(addr, &hello_with_a_bad_proof, Duration::from_secs(10));
        // A bare Cap'n Proto message, as a client without the handshake sends.
        closed_within(addr, &[0u8; 64], Duration::from_secs(10));
    }
    for t in silent {
        let took = t.join().unwrap();
        assert!(
            took >= Duration::from_secs(4),
            "dropped too early: {took:?}"
        );
    }
    c.assert_daemons_alive();
    // Both daemons still serve: a job across both nodes talks over the peer port.
    c.upload("p2p_basic", "mpi/p2p_basic");
    let id = c.submit(&["-n", "4", "-N", "2", "--wait", "-t", "1", "p2p_basic"]);
    assert_eq!(c.job(id)["state_code"], "CD", "{}", c.output(id));
    c.assert_daemons_alive();
}

#[test]
fn the_generated_key_is_private_and_survives_a_restart() {
    let mut c = Cluster::start(&[("node0", 1)]);
    let key = c.key_file();
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o400, "{}", key.display());
    let before = std::fs::read(&key).unwrap();
    assert_eq!(before.trim_ascii().len(), 64, "32 random bytes in hex");
    c.upload("hellompi", "mpi/hellompi");
    c.kill_schedd();
    c.restart_schedd();
    assert_eq!(
        std::fs::read(&key).unwrap(),
        before,
        "the same key after a restart"
    );
    c.wait_for(Duration::from_secs(20), || {
        c.nodes_json()
            .iter()
            .any(|n| n["name"] == "node0" && n["state"] == "idle")
    });
    let id = c.submit(&["-n", "1", "--wait", "hellompi"]);
    assert_eq!(c.job(id)["state_code"], "CD");
}

#[test]
fn fupload_refuses_a_precompiled_artifact() {
    let c = Cluster::start(&[]);
    let w = wasm("mpi/hellompi");
    let cwasm = c.dir().join("hellompi.cwasm");
    let out = std::process::Command::new(fbatch_tests::bin_dir().join("aotc"))
        .arg("compile")
        .arg(&w)
        .arg("--cache")
        .arg(c.dir().join("aotc-cache"))
        .arg("-o")
        .arg(&cwasm)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let r = c.run("fupload", &["sneaky", cwasm.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "sneaky: this is a precompiled native artifact (an ELF file such as a wasmtime \
             .cwasm), not a WebAssembly module"
        ),
        "{r:?}"
    );
    let junk = c.dir().join("junk.wasm");
    std::fs::write(&junk, b"not wasm at all").unwrap();
    let r = c.run("fupload", &["junk", junk.to_str().unwrap()]);
    assert!(r.stderr.contains("not a valid WebAssembly module"), "{r:?}");
    let listed = c.ok("fupload", &["real", w.to_str().unwrap()]);
    assert!(listed.contains("real"), "{listed}");
}

/// Flips the last byte of every value in the sled tree `tree` of the database
/// at `db` (whose daemon is stopped); returns how many it changed.
fn tamper(db_dir: &Path, tree: &str) -> usize {
    let db = sled::open(db_dir).unwrap();
    let t = db.open_tree(tree).unwrap();
    let mut n = 0;
    for kv in t.iter() {
        let (k, v) = kv.unwrap();
        let mut v = v.to_vec();
        *v.last_mut().unwrap() ^= 0x01;
        t.insert(k, v).unwrap();
        n += 1;
    }
    db.flush().unwrap();
    drop((t, db));
    wait_unlocked(db_dir);
    n
}

/// Waits until nothing holds sled's lock on the database in `dir`: sled's
/// background threads may keep it for a moment after the last handle is dropped,
/// and a daemon started meanwhile could not open its state.
fn wait_unlocked(dir: &Path) {
    let f = std::fs::File::open(dir.join("db")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    // SAFETY: flock(2) on a descriptor this function owns; sled locks the same
    // file with flock, so ours succeeds only once sled's lock is gone.
    while unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        assert!(
            Instant::now() < deadline,
            "sled still locks {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Closing `f` releases our lock.
}

#[test]
fn a_tampered_cached_artifact_is_never_loaded_but_rebuilt() {
    let mut c = Cluster::start(&[("node0", 2)]);
    c.upload("hellompi", "mpi/hellompi");
    let first = c.submit(&["-n", "2", "--wait", "hellompi"]);
    assert_eq!(c.job(first)["state_code"], "CD");

    // noded's cache: the node fetches the module from schedd again.
    c.kill_node("node0");
    assert_eq!(
        tamper(&c.node_state_dir("node0").join("cache"), "artifacts"),
        1
    );
    c.add_node("node0", 2);
    let id = c.submit(&["-n", "2", "--wait", "hellompi"]);
    assert_eq!(c.job(id)["state_code"], "CD", "{}", c.log("node0"));
    assert_eq!(c.output(id).lines().count(), 2);
    assert!(
        c.log("node0")
            .contains("discarding the cached artifact of module"),
        "{}",
        c.log("node0")
    );

    // schedd's cache: a node that has never seen the module gets the wasm to
    // compile instead of the tampered artifact.
    c.kill_node("node0");
    c.kill_schedd();
    assert_eq!(tamper(&c.schedd_state_dir().join("db"), "artifacts"), 1);
    c.restart_schedd();
    c.add_node("fresh", 2);
    let id = c.submit(&["-n", "2", "--wait", "hellompi"]);
    let job = c.job(id);
    assert_eq!(job["state_code"], "CD", "{}", c.log("schedd"));
    assert_eq!(job["nodes"], serde_json::json!(["fresh"]));
    assert!(
        c.log("schedd")
            .contains("discarding the cached artifact of module"),
        "{}",
        c.log("schedd")
    );
}
