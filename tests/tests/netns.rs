//! Two noded processes in separate network namespaces (veth pairs on a bridge),
//! so their peer traffic crosses real network interfaces, not loopback. Needs
//! root (CAP_NET_ADMIN); skipped with a message otherwise.

use fbatch_tests::{bin_dir, mpirun, native, sorted_lines, wasm};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Namespaces, veths and a bridge, removed on drop.
struct Net {
    tag: String,
    spawned: Vec<Child>,
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Net {
    /// Bridge 10.(77).(n).1/24 and namespaces with .2 and .3; None if not permitted.
    fn setup(n: u32) -> Option<Net> {
        let tag = format!("fb{n}");
        let net = Net {
            tag: tag.clone(),
            spawned: Vec::new(),
        };
        let br = format!("{tag}br");
        let ok = ip(&["link", "add", &br, "type", "bridge"])
            && ip(&["addr", "add", &format!("10.77.{n}.1/24"), "dev", &br])
            && ip(&["link", "set", &br, "up"])
            && (1..=2).all(|i| {
                let ns = format!("{tag}ns{i}");
                let veth = format!("{tag}v{i}");
                ip(&["netns", "add", &ns])
                    && ip(&[
                        "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns,
                    ])
                    && ip(&["link", "set", &veth, "master", &br])
                    && ip(&["link", "set", &veth, "up"])
                    && ip(&[
                        "netns",
                        "exec",
                        &ns,
                        "ip",
                        "addr",
                        "add",
                        &format!("10.77.{n}.{}/24", i + 1),
                        "dev",
                        "eth0",
                    ])
                    && ip(&["netns", "exec", &ns, "ip", "link", "set", "eth0", "up"])
                    && ip(&["netns", "exec", &ns, "ip", "link", "set", "lo", "up"])
            });
        ok.then_some(net)
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for c in &mut self.spawned {
            let _ = c.kill();
            let _ = c.wait();
        }
        for i in 1..=2 {
            ip(&["netns", "del", &format!("{}ns{i}", self.tag)]);
        }
        ip(&["link", "del", &format!("{}br", self.tag)]);
    }
}

#[test]
fn a_job_spread_over_two_network_namespaces_matches_openmpi() {
    let n = std::process::id() % 200 + 20;
    let Some(mut net) = Net::setup(n) else {
        eprintln!("skipped: creating network namespaces needs root (CAP_NET_ADMIN)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bin = bin_dir();
    net.spawned.push(
        Command::new(bin.join("schedd"))
            .args(["--listen", &format!("10.77.{n}.1:0"), "--state-dir"])
            .arg(dir.path().join("schedd"))
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let addr_file = dir.path().join("schedd/schedd.addr");
    let start = Instant::now();
    while !addr_file.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let addr = std::fs::read_to_string(&addr_file)
        .unwrap()
        .trim()
        .to_string();
    // schedd created the cluster key before it wrote its address.
    let key = dir.path().join("schedd/cluster.key");
    for i in 1..=2 {
        net.spawned.push(
            Command::new("ip")
                .args(["netns", "exec", &format!("fb{n}ns{i}")])
                .arg(bin.join("noded"))
                .args([
                    "--schedd",
                    &addr,
                    "--slots",
                    "2",
                    "--name",
                    &format!("ns{i}"),
                ])
                .arg("--state-dir")
                .arg(dir.path().join(format!("node{i}")))
                .arg("--secret-file")
                .arg(&key)
                .args(["--peer-listen", &format!("10.77.{n}.{}:0", i + 1)])
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    let run = |cmd: &str, args: &[&str]| {
        Command::new(bin.join(cmd))
            .env("FBATCH_SCHEDD", &addr)
            .env("FBATCH_SECRET_FILE", &key)
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let start = Instant::now();
    loop {
        let out = String::from_utf8_lossy(&run("finfo", &["--parsable"]).stdout).into_owned();
        if out.matches("|idle|").count() == 2 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nodes did not register: {out}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for prog in ["mpi/coll_basic", "mpi/p2p_basic", "mpi/rma_put_get_fence"] {
        let w = wasm(prog);
        let name = prog.replace('/', "_");
        assert!(run("fupload", &[&name, w.to_str().unwrap()])
            .status
            .success());
        let out_file = dir.path().join(format!("{name}.out"));
        let r = run(
            "fsub",
            &[
                "-n",
                "4",
                "-N",
                "2",
                "--wait",
                "-t",
                "1",
                "-o",
                out_file.to_str().unwrap(),
                &name,
            ],
        );
        assert!(r.status.success(), "{prog}: {r:?}");
        let ours = std::fs::read_to_string(&out_file).unwrap();
        let theirs = mpirun(4, &native(prog), &[]);
        assert_eq!(
            sorted_lines(&ours),
            sorted_lines(&String::from_utf8_lossy(&theirs.stdout)),
            "{prog} across namespaces"
        );
    }
}
