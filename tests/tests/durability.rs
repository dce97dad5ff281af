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
