//! End-to-end test harness in the manner of HyperQueue's `hq_env`: start real
//! `schedd` and `noded` binaries on free loopback ports in a temporary
//! directory, drive them with the real client commands, kill their process
//! groups on teardown, and fail the test if a daemon died on its own.
//!
//! schedd creates the cluster key in its state directory on first start; the
//! harness hands that file to every noded and client it runs (`FBATCH_SECRET_FILE`).
//!
//! The binaries come from the same target directory as the test executable:
//! build them first (`cargo build --workspace`, which `scripts/test` does).

use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root")
        .to_path_buf()
}

/// Directory holding the workspace's binaries (next to the test executable).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>")
        .to_path_buf();
    for b in [
        "schedd", "noded", "fsub", "fqueue", "fcancel", "frelease", "finfo", "facct", "fupload",
        "fcontrol", "aotc",
    ] {
        let path = dir.join(b);
        let built = path
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| {
                panic!(
                    "{} is missing: build the workspace first (scripts/test does)",
                    path.display()
                )
            });
        // cargo's dep-info lists exactly the sources this binary was built from.
        let deps = std::fs::read_to_string(dir.join(format!("{b}.d"))).unwrap_or_default();
        let sources = deps.split_once(':').map(|(_, s)| s).unwrap_or("");
        for src in sources.split_whitespace() {
            let newer = Path::new(src)
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t > built);
            assert!(
                !newer,
                "{} is older than {src}: run `cargo build --workspace --bins` (scripts/test does)",
                path.display()
            );
        }
    }
    dir
}

/// Where compiled test programs are cached.
fn build_dir() -> PathBuf {
    let d = bin_dir().join("fbatch-test-programs");
    std::fs::create_dir_all(&d).expect("create build dir");
    d
}

fn fresh(out: &Path, src: &Path) -> bool {
    match (
        out.metadata().and_then(|m| m.modified()),
        src.metadata().and_then(|m| m.modified()),
    ) {
        (Ok(o), Ok(s)) => o >= s,
        _ => false,
    }
}

fn compile(compiler: &[&str], src: &Path, out: &Path, extra: &[&str]) {
    if fresh(out, src) {
        return;
    }
    // Compile to a name unique to this call and rename, so parallel tests (threads
    // of one process, or several processes) never see half a file.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = out.with_extension(format!("tmp{}-{n}", std::process::id()));
    let st = Command::new(compiler[0])
        .args(&compiler[1..])
        .arg(src)
        .arg("-o")
        .arg(&tmp)
        .args(extra)
        .status()
        .unwrap_or_else(|e| panic!("running {}: {e}", compiler[0]));
    assert!(st.success(), "compiling {} failed", src.display());
    std::fs::rename(&tmp, out).expect("rename compiled program");
}

/// Compiles `func/<rel>.c` with fmpicc; returns the .wasm path.
pub fn wasm(rel: &str) -> PathBuf {
    let src = repo_root().join("func").join(format!("{rel}.c"));
    let out = build_dir().join(format!("{}.wasm", rel.replace('/', "_")));
    let fmpicc = repo_root().join("func/fmpicc");
    compile(&[fmpicc.to_str().unwrap()], &src, &out, &[]);
    out
}

/// Compiles `func/<rel>.c` natively with mpicc; returns the executable path.
pub fn native(rel: &str) -> PathBuf {
    let src = repo_root().join("func").join(format!("{rel}.c"));
    let out = build_dir().join(format!("{}.native", rel.replace('/', "_")));
    compile(&["mpicc", "-O3"], &src, &out, &["-lm"]);
    out
}

/// Runs a native MPI program under OpenMPI's mpirun with `n` ranks.
pub fn mpirun(n: u32, exe: &Path, args: &[&str]) -> Output {
    Command::new("timeout")
        .arg("120")
        .arg("mpirun")
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
        .args(["--oversubscribe", "--bind-to", "none", "-n", &n.to_string()])
        .arg(exe)
        .args(args)
        .output()
        .expect("running mpirun (install openmpi-bin)")
}

/// A command's outcome, with text.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

struct Daemon {
    name: String,
    child: Child,
}

impl Daemon {
    fn spawn(name: &str, mut cmd: Command, log: &Path) -> Daemon {
        let log = std::fs::File::create(log).expect("daemon log");
        cmd.stdout(log.try_clone().expect("log"))
            .stderr(log)
            .stdin(Stdio::null());
        cmd.process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Daemon {
            name: name.to_string(),
            child,
        }
    }

    fn kill(&mut self) {
        // SAFETY: kill(2) on our own child's process group.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// A running cluster: one schedd and some noded processes on loopback.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    schedd: Option<Daemon>,
    nodes: Vec<Daemon>,
    /// schedd's address.
    pub addr: String,
    node_timeout_ms: u64,
    /// schedd's `--config` file, if any.
    config: Option<PathBuf>,
}

/// The environment variable clients and noded read the cluster key file from.
pub const KEY_ENV: &str = "FBATCH_SECRET_FILE";

impl Cluster {
    /// Starts schedd and one noded per `(name, slots)`, waiting until all are up.
    pub fn start(nodes: &[(&str, u32)]) -> Cluster {
        Cluster::start_with(nodes, 5000)
    }

    /// Like [`Cluster::start`] with schedd's node timeout in ms.
    pub fn start_with(nodes: &[(&str, u32)], node_timeout_ms: u64) -> Cluster {
        let mut c = Cluster {
            dir: tempfile::Builder::new()
                .prefix("fbatch-test")
                .tempdir()
                .expect("tempdir"),
            bin: bin_dir(),
            schedd: None,
            nodes: Vec::new(),
            addr: String::new(),
            node_timeout_ms,
            config: None,
        };
        c.start_schedd("127.0.0.1:0");
        for (name, slots) in nodes {
            c.add_node(name, *slots);
        }
        c
    }

    /// Like [`Cluster::start_with`], with `config` (TOML: partitions) as schedd's
    /// `--config` file.
    pub fn start_configured(nodes: &[(&str, u32)], node_timeout_ms: u64, config: &str) -> Cluster {
        let mut c = Cluster::start_with(&[], node_timeout_ms);
        let path = c.dir.path().join("schedd.toml");
        std::fs::write(&path, config).expect("write schedd config");
        c.config = Some(path);
        c.kill_schedd();
        c.restart_schedd();
        for (name, slots) in nodes {
            c.add_node(name, *slots);
        }
        c
    }

    /// Sends `signal` to a noded's process group (SIGSTOP freezes it: it looks
    /// dead to schedd; SIGCONT brings it back with whatever it was running).
    pub fn signal_node(&self, name: &str, signal: i32) {
        let d = self
            .nodes
            .iter()
            .find(|d| d.name == name)
            .unwrap_or_else(|| panic!("no node {name}"));
        // SAFETY: kill(2) on our own child's process group.
        unsafe { libc::kill(-(d.child.id() as i32), signal) };
    }

    /// The cluster's working directory (job output lands here).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// schedd's state directory.
    pub fn schedd_state_dir(&self) -> PathBuf {
        self.dir.path().join("schedd")
    }

    /// The cluster key file (created by schedd in its state directory).
    pub fn key_file(&self) -> PathBuf {
        self.schedd_state_dir().join("cluster.key")
    }

    /// A noded's state directory.
    pub fn node_state_dir(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("node-{name}"))
    }

    fn start_schedd(&mut self, listen: &str) {
        let state = self.schedd_state_dir();
        let addr_file = state.join("schedd.addr");
        let _ = std::fs::remove_file(&addr_file);
        let mut cmd = Command::new(self.bin.join("schedd"));
        cmd.args(["--listen", listen, "--state-dir"])
            .arg(&state)
            .args([
                "--heartbeat-ms",
                "200",
                "--node-timeout-ms",
                &self.node_timeout_ms.to_string(),
            ]);
        if let Some(config) = &self.config {
            cmd.arg("--config").arg(config);
        }
        self.schedd = Some(Daemon::spawn(
            "schedd",
            cmd,
            &self.dir.path().join("schedd.log"),
        ));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(a) = std::fs::read_to_string(&addr_file) {
                if !a.is_empty() {
                    self.addr = a;
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "schedd did not start: {}",
                self.log("schedd")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts another noded and waits until schedd lists it.
    pub fn add_node(&mut self, name: &str, slots: u32) {
        let key = self.key_file();
        self.spawn_node(name, slots, &key);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self
            .nodes_json()
            .iter()
            .any(|n| n["name"] == name && n["state"] == "idle")
        {
            let node = self.nodes.last_mut().expect("just spawned");
            if let Ok(Some(status)) = node.child.try_wait() {
                panic!("noded {name} exited ({status}):\n{}", self.log(name));
            }
            assert!(
                Instant::now() < deadline,
                "noded {name} did not register within 30 s\n{name} log:\n{}\nschedd log:\n{}",
                self.log(name),
                self.log("schedd")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts a noded with the key file `key` and does not wait for it to register.
    pub fn spawn_node(&mut self, name: &str, slots: u32, key: &Path) {
        let mut cmd = Command::new(self.bin.join("noded"));
        cmd.env(KEY_ENV, key)
            .args([
                "--schedd",
                &self.addr,
                "--slots",
                &slots.to_string(),
                "--name",
                name,
            ])
            .arg("--state-dir")
            .arg(self.node_state_dir(name))
            .args(["--mem-per-rank", "1024"]);
        self.nodes.push(Daemon::spawn(
            name,
            cmd,
            &self.dir.path().join(format!("{name}.log")),
        ));
    }

    /// A daemon's log so far.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }

    /// A client command (fsub, fqueue, ...) set up to run in the cluster
    /// directory against this schedd with the cluster key.
    pub fn command(&self, cmd: &str) -> Command {
        let mut c = Command::new(self.bin.join(cmd));
        c.env("FBATCH_SCHEDD", &self.addr)
            .env(KEY_ENV, self.key_file())
            .current_dir(self.dir.path());
        c
    }

    /// Runs a client command (fsub, fqueue, ...) in the cluster directory.
    pub fn run(&self, cmd: &str, args: &[&str]) -> Run {
        self.command(cmd)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("running {cmd}: {e}"))
            .into()
    }

    /// Runs a client command that must succeed; returns its stdout.
    pub fn ok(&self, cmd: &str, args: &[&str]) -> String {
        let r = self.run(cmd, args);
        assert_eq!(r.code, 0, "{cmd} {args:?} failed: {r:?}");
        r.stdout
    }

    /// Uploads `func/<rel>.c` (compiled with fmpicc) as function `name`.
    pub fn upload(&self, name: &str, rel: &str) {
        let w = wasm(rel);
        self.ok("fupload", &[name, w.to_str().unwrap()]);
    }

    /// Submits a job with `fsub --parsable ARGS`; returns its id.
    pub fn submit(&self, args: &[&str]) -> u64 {
        let mut a = vec!["--parsable"];
        a.extend_from_slice(args);
        self.ok("fsub", &a)
            .trim()
            .parse()
            .expect("fsub --parsable prints the job id")
    }

    /// Every job schedd knows, as fqueue --json reports them.
    pub fn jobs_json(&self) -> Vec<Value> {
        let out = self.ok("fqueue", &["-a", "--json"]);
        let v: Value = serde_json::from_str(&out).expect("fqueue --json is JSON");
        v["jobs"].as_array().cloned().unwrap_or_default()
    }

    /// One job as fqueue --json reports it.
    pub fn job(&self, id: u64) -> Value {
        self.jobs_json()
            .into_iter()
            .find(|j| j["job_id"] == id)
            .unwrap_or_else(|| panic!("job {id} is not listed"))
    }

    /// Nodes as finfo --json reports them.
    pub fn nodes_json(&self) -> Vec<Value> {
        let r = self.run("finfo", &["--json"]);
        if r.code != 0 {
            return Vec::new();
        }
        let v: Value = serde_json::from_str(&r.stdout).expect("finfo --json is JSON");
        v["nodes"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until `cond` holds, panicking after `timeout`.
    pub fn wait_for(&self, timeout: Duration, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + timeout;
        while !cond() {
            assert!(
                Instant::now() < deadline,
                "condition not met within {timeout:?}\nschedd log:\n{}",
                self.log("schedd")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until job `id` has state code `code` (e.g. "R", "CD"); returns the job.
    pub fn wait_state(&self, id: u64, code: &str, timeout: Duration) -> Value {
        let mut last = Value::Null;
        self.wait_for(timeout, || {
            last = self.job(id);
            last["state_code"] == code
        });
        last
    }

    /// Waits until job `id` has ended; returns the job.
    pub fn wait_for_final(&self, id: u64, timeout: Duration) -> Value {
        let mut last = Value::Null;
        self.wait_for(timeout, || {
            last = self.job(id);
            !matches!(last["state_code"].as_str(), Some("PD" | "R" | "CG"))
        });
        last
    }

    /// The job's output so far (empty while the file does not exist yet).
    pub fn output_so_far(&self, id: u64) -> String {
        let path = self.job(id)["output"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        std::fs::read_to_string(path).unwrap_or_default()
    }

    /// The job's output file contents.
    pub fn output(&self, id: u64) -> String {
        let path = self.job(id)["output"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    /// `kill -9` schedd.
    pub fn kill_schedd(&mut self) {
        if let Some(mut d) = self.schedd.take() {
            d.kill();
        }
    }

    /// Starts schedd again on the same state directory and address.
    pub fn restart_schedd(&mut self) {
        let addr = self.addr.clone();
        self.start_schedd(&addr);
    }

    /// `kill -9` a noded.
    pub fn kill_node(&mut self, name: &str) {
        if let Some(i) = self.nodes.iter().position(|d| d.name == name) {
            let mut d = self.nodes.remove(i);
            d.kill();
        }
    }

    /// Panics if any daemon has exited on its own.
    pub fn assert_daemons_alive(&mut self) {
        let logs: String = std::iter::once("schedd".to_string())
            .chain(self.nodes.iter().map(|d| d.name.clone()))
            .map(|n| format!("--- {n}\n{}", self.log(&n)))
            .collect();
        for d in self.schedd.iter_mut().chain(self.nodes.iter_mut()) {
            if let Ok(Some(status)) = d.child.try_wait() {
                panic!("{} exited unexpectedly ({status}); logs:\n{logs}", d.name);
            }
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_daemons_alive();
        }
        for d in self.nodes.iter_mut().chain(self.schedd.iter_mut()) {
            d.kill();
        }
    }
}

/// Lines of a text, sorted (rank output order is not deterministic).
pub fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().map(str::to_string).collect();
    v.sort();
    v
}

/// Runs `func/<rel>.c` on `n` ranks under fbatch (`fsub --wait`) and under native
/// `mpirun`, and asserts the outputs have the same lines (order-insensitive, as
/// ranks print concurrently). Returns fbatch's output.
pub fn same_as_mpirun(c: &Cluster, rel: &str, n: u32, args: &[&str]) -> String {
    same_as_mpirun_except(c, rel, n, args, |_| false)
}

/// Like [`same_as_mpirun`], ignoring lines for which `skip` holds (timings).
pub fn same_as_mpirun_except(
    c: &Cluster,
    rel: &str,
    n: u32,
    args: &[&str],
    skip: impl Fn(&str) -> bool,
) -> String {
    same_as_mpirun_placed(c, rel, n, &[], args, skip)
}

/// Like [`same_as_mpirun_except`], with extra `fsub` options (e.g. `-N 3`).
pub fn same_as_mpirun_placed(
    c: &Cluster,
    rel: &str,
    n: u32,
    fsub_opts: &[&str],
    args: &[&str],
    skip: impl Fn(&str) -> bool,
) -> String {
    let name = rel.replace('/', "_");
    c.upload(&name, rel);
    let n_s = n.to_string();
    let mut a = vec!["-n", &n_s, "--wait", "-t", "2", "-o", "%x-%j.out"];
    a.extend_from_slice(fsub_opts);
    a.push(&name);
    a.extend_from_slice(args);
    let r = c.run("fsub", &a);
    let id: u64 = r
        .stdout
        .trim()
        .trim_start_matches("Submitted batch job ")
        .parse()
        .unwrap_or_else(|_| panic!("fsub {a:?}: {r:?}"));
    let ours = c.output(id);
    assert_eq!(
        r.code, 0,
        "{rel} on {n} ranks failed under fbatch: {r:?}\n{ours}"
    );
    let theirs = mpirun(n, &native(rel), args);
    let theirs_out = String::from_utf8_lossy(&theirs.stdout).into_owned();
    assert!(
        theirs.status.success(),
        "{rel} on {n} ranks failed under mpirun: {}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let keep = |text: &str| -> Vec<String> {
        sorted_lines(text)
            .into_iter()
            .filter(|l| !skip(l))
            .collect()
    };
    assert_eq!(
        keep(&ours),
        keep(&theirs_out),
        "{rel} on {n} ranks: fbatch output differs from mpirun"
    );
    ours
}
