//! The queue survives `kill -9` of schedd; running jobs are reclaimed from noded.

use fbatch_tests::Cluster;
use std::time::Duration;

#[test]
fn a_restarted_schedd_keeps_queued_jobs_and_reclaims_running_ones() {
    let mut c = Cluster::start(&[("node0", 2)]);
    c.upload("deadlock", "faults/deadlock");
    c.upload("hellompi", "mpi/hellompi");
    let running = c.submit(&["-n", "2", "deadlock"]);
    c.wait_state(running, "R", Duration::from_secs(20));
    let queued: Vec<u64> = (0..3).map(|_| c.submit(&["-n", "2", "hellompi"])).collect();
    c.kill_schedd();
    c.restart_schedd();
    // The node re-registers and reports the job it is still running.
    c.wait_for(Duration::from_secs(20), || {
        c.nodes_json()
            .iter()
            .any(|n| n["name"] == "node0" && n["state"] == "alloc")
    });
    assert_eq!(c.job(running)["state_code"], "R");
    for id in &queued {
        assert_eq!(c.job(*id)["state_code"], "PD", "job {id} after restart");
    }
    c.ok("fcancel", &[&running.to_string()]);
    c.wait_state(running, "CA", Duration::from_secs(20));
    for id in &queued {
        c.wait_state(*id, "CD", Duration::from_secs(30));
        assert_eq!(c.output(*id).lines().count(), 2);
    }
    let next = c.submit(&["-n", "1", "hellompi"]);
    assert_eq!(next, queued[2] + 1, "job ids continue after a restart");
}

#[test]
fn fsub_wait_survives_a_schedd_restart() {
    let mut c = Cluster::start(&[("node0", 2)]);
    c.upload("deadlock", "faults/deadlock");
    let id = c.submit(&["-n", "1", "deadlock"]);
    c.wait_state(id, "R", Duration::from_secs(20));
    let waiter = c
        .command("fsub")
        .args(["-n", "1", "--wait", "deadlock"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    c.kill_schedd();
    c.restart_schedd();
    c.wait_for(Duration::from_secs(20), || {
        c.jobs_json().len() == 2 && c.job(id + 1)["state_code"] == "R"
    });
    c.ok("fcancel", &[&(id + 1).to_string(), &id.to_string()]);
    let out = waiter.wait_with_output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "the waited-for job was cancelled"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("CANCELLED"));
}

#[test]
fn a_killed_noded_fails_its_jobs_with_node_fail() {
    let mut c = Cluster::start_with(&[("node0", 2)], 1500);
    c.upload("deadlock", "faults/deadlock");
    let id = c.submit(&["-n", "2", "deadlock"]);
    c.wait_for(Duration::from_secs(20), || {
        c.output_so_far(id).matches("waiting").count() == 2
    });
    c.kill_node("node0");
    let job = c.wait_state(id, "NF", Duration::from_secs(15));
    assert!(
        job["reason"]
            .as_str()
            .unwrap()
            .contains("node0 stopped responding"),
        "{job}"
    );
    assert_eq!(c.nodes_json()[0]["state"], "down");
}

#[test]
fn a_node_lost_during_launch_fails_the_job_with_node_fail() {
    let mut c = Cluster::start_with(&[("node0", 2)], 1500);
    c.upload("deadlock", "faults/deadlock");
    let id = c.submit(&["-n", "2", "deadlock"]);
    // Kill the node at once: the launch may be in flight or the ranks running;
    // either way the job ends NODE_FAIL, never FAILED.
    c.kill_node("node0");
    let job = c.wait_for_final(id, Duration::from_secs(15));
    assert_eq!(job["state_code"], "NF", "{job}");
}

#[test]
fn kill_9_under_a_stream_of_submissions_loses_no_acknowledged_job() {
    let mut c = Cluster::start(&[("node0", 4)]);
    c.upload("hellompi", "mpi/hellompi");
    let bin = fbatch_tests::bin_dir();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let submitters: Vec<_> = (0..4)
        .map(|_| {
            let (bin, addr, dir, stop, key) = (
                bin.clone(),
                c.addr.clone(),
                c.dir().to_path_buf(),
                stop.clone(),
                c.key_file(),
            );
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let out = std::process::Command::new(bin.join("fsub"))
                        .env("FBATCH_SCHEDD", &addr)
                        .env(fbatch_tests::KEY_ENV, &key)
                        .current_dir(&dir)
                        .args(["--parsable", "hellompi"])
                        .output()
                        .unwrap();
                    // Only a printed id is an acknowledgement.
                    if let Ok(id) = String::from_utf8_lossy(&out.stdout).trim().parse::<u64>() {
                        acked.push(id);
                    }
                }
                acked
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    c.kill_schedd();
    std::thread::sleep(Duration::from_millis(200));
    c.restart_schedd();
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let acked: Vec<u64> = submitters
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(
        acked.len() > 10,
        "only {} submissions went through",
        acked.len()
    );
    let jobs = c.jobs_json();
    for id in &acked {
        assert!(
            jobs.iter().any(|j| j["job_id"] == *id),
            "acknowledged job {id} is missing after kill -9"
        );
    }
    for id in &acked {
        let j = c.wait_for_final(*id, Duration::from_secs(60));
        assert_eq!(j["state_code"], "CD", "{j}");
    }
}

#[test]
fn a_requeue_job_of_a_killed_noded_runs_again_elsewhere() {
    let mut c = Cluster::start_with(&[("node0", 1), ("node1", 1)], 1500);
    c.upload("deadlock", "faults/deadlock");
    let id = c.submit(&["--requeue", "deadlock"]);
    let first = c.wait_state(id, "R", Duration::from_secs(20));
    let victim = first["nodes"][0].as_str().unwrap().to_string();
    let other = if victim == "node0" { "node1" } else { "node0" };
    c.wait_for(Duration::from_secs(20), || {
        c.output_so_far(id).contains("waiting")
    });
    let killed = std::time::Instant::now();
    c.kill_node(&victim);
    c.wait_for(Duration::from_secs(10), || {
        let j = c.job(id);
        j["state_code"] == "R" && j["restarts"] == 1
    });
    assert!(killed.elapsed() < Duration::from_secs(10));
    assert_eq!(c.job(id)["nodes"], serde_json::json!([other]));
    c.ok("fcancel", &[&id.to_string()]);
    c.wait_state(id, "CA", Duration::from_secs(20));
}

#[test]
fn a_frozen_noded_that_comes_back_is_re_registered_and_its_stale_ranks_killed() {
    let c = Cluster::start_with(&[("node0", 1)], 1000);
    c.upload("deadlock", "faults/deadlock");
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["deadlock"]);
    c.wait_for(Duration::from_secs(20), || {
        c.output_so_far(id).contains("waiting")
    });
    c.signal_node("node0", libc::SIGSTOP);
    let job = c.wait_state(id, "NF", Duration::from_secs(10));
    assert!(job["reason"]
        .as_str()
        .unwrap()
        .contains("stopped responding"));
    c.signal_node("node0", libc::SIGCONT);
    // It registers again, still running the job schedd has written off: those
    // ranks are killed and the node is free for new work.
    c.wait_for(Duration::from_secs(20), || {
        c.nodes_json()[0]["state"] == "idle"
    });
    let next = c.submit(&["--wait", "hellompi"]);
    assert_eq!(c.job(next)["state_code"], "CD");
    assert_eq!(c.job(id)["state_code"], "NF", "the old job stays NODE_FAIL");
    c.wait_for(Duration::from_secs(10), || {
        c.log("node0").contains("stale ranks") || c.output_so_far(id).contains("stale ranks")
    });
}
