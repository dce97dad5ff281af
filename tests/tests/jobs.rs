//! Jobs run end to end on real daemons, and agree with native OpenMPI.

use fbatch_tests::{mpirun, native, sorted_lines, Cluster};
use std::time::Duration;

#[test]
fn hellompi_on_8_ranks_prints_every_rank_like_mpirun() {
    let c = Cluster::start(&[("node0", 8)]);
    c.upload("hellompi", "mpi/hellompi");
    let r = c.run("fsub", &["-n", "8", "--wait", "hellompi"]);
    assert_eq!(r.code, 0, "{r:?}");
    let id: u64 = r
        .stdout
        .trim()
        .trim_start_matches("Submitted batch job ")
        .parse()
        .unwrap();
    let ours = c.output(id);
    let theirs = mpirun(8, &native("mpi/hellompi"), &[]);
    assert!(theirs.status.success());
    assert_eq!(
        sorted_lines(&ours),
        sorted_lines(&String::from_utf8_lossy(&theirs.stdout))
    );
    assert_eq!(sorted_lines(&ours).len(), 8);
    let job = c.job(id);
    assert_eq!(job["state"], "COMPLETED");
    assert_eq!(job["nodes"], serde_json::json!(["node0"]));
}

#[test]
fn nstream_validates_and_matches_mpirun_apart_from_timings() {
    let c = Cluster::start(&[("node0", 8)]);
    c.upload("nstream", "kernels/nstream");
    let id = c.submit(&["-n", "8", "--wait", "nstream", "10", "100000", "0"]);
    let ours = c.output(id);
    let theirs = mpirun(8, &native("kernels/nstream"), &["10", "100000", "0"]);
    let theirs = String::from_utf8_lossy(&theirs.stdout).into_owned();
    let strip = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with("Rate"))
            .map(str::to_string)
            .collect()
    };
    assert!(ours.contains("Solution validates"), "{ours}");
    assert_eq!(strip(&ours), strip(&theirs));
    assert!(ours.lines().any(|l| l.starts_with("Rate (MB/s): ")));
    assert_eq!(c.job(id)["state_code"], "CD");
}

#[test]
fn a_job_failing_validation_returns_its_exit_code_through_fsub_wait() {
    let c = Cluster::start(&[("node0", 4)]);
    c.upload("nstream", "kernels/nstream");
    // Missing arguments: rank 0 prints usage and every rank returns 1.
    let r = c.run(
        "fsub",
        &["-n", "2", "--wait", "-o", "bad-%j.out", "nstream"],
    );
    assert_eq!(r.code, 1, "{r:?}");
    let job = c.jobs_json().pop().unwrap();
    assert_eq!(job["state_code"], "F");
    assert_eq!(job["exit_code"], 1);
    assert!(job["output"]
        .as_str()
        .unwrap()
        .ends_with(&format!("bad-{}.out", job["job_id"])));
    assert!(c.output(job["job_id"].as_u64().unwrap()).contains("Usage:"));
}

#[test]
fn jobs_beyond_free_slots_wait_in_fifo_order() {
    let c = Cluster::start(&[("node0", 2)]);
    c.upload("deadlock", "faults/deadlock");
    c.upload("hellompi", "mpi/hellompi");
    let blocker = c.submit(&["-n", "2", "deadlock"]);
    c.wait_state(blocker, "R", Duration::from_secs(20));
    let first = c.submit(&["-n", "2", "hellompi"]);
    let second = c.submit(&["-n", "1", "hellompi"]);
    c.wait_for(Duration::from_secs(10), || {
        c.job(second)["reason"] == "Priority"
    });
    assert_eq!(c.job(first)["reason"], "Resources");
    let q = c.ok("fqueue", &[]);
    assert!(q.contains("(Resources)") && q.contains("(Priority)"), "{q}");
    c.ok("fcancel", &[&blocker.to_string()]);
    c.wait_state(first, "CD", Duration::from_secs(20));
    c.wait_state(second, "CD", Duration::from_secs(20));
    assert!(c.job(first)["start_time_ms"].as_i64() <= c.job(second)["start_time_ms"].as_i64());
}

#[test]
fn fqueue_and_finfo_show_slurm_columns() {
    let c = Cluster::start(&[("node0", 4)]);
    c.upload("deadlock", "faults/deadlock");
    let id = c.submit(&["-n", "3", "-J", "stuck", "deadlock"]);
    c.wait_state(id, "R", Duration::from_secs(20));
    let q = c.ok("fqueue", &[]);
    let header = q.lines().next().unwrap();
    for col in [
        "JOBID",
        "NAME",
        "USER",
        "ST",
        "TIME",
        "NODES",
        "NODELIST(REASON)",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let row = q.lines().find(|l| l.contains("stuck")).expect("job row");
    assert!(row.contains(" R ") && row.ends_with("node0"), "{row}");
    let info = c.ok("finfo", &[]);
    assert!(
        info.contains("node0") && info.contains("mix") && info.contains("3/1/4"),
        "{info}"
    );
    c.ok("fcancel", &[&id.to_string()]);
    c.wait_state(id, "CA", Duration::from_secs(20));
    let acct = c.ok("facct", &[]);
    assert!(
        acct.contains("CANCELLED") && acct.contains("stuck"),
        "{acct}"
    );
}

#[test]
fn dependencies_hold_jobs_until_the_jobs_they_name_end() {
    let c = Cluster::start(&[("node0", 2)]);
    c.upload("deadlock", "faults/deadlock");
    c.upload("hellompi", "mpi/hellompi");
    let a = c.submit(&["-n", "1", "deadlock"]);
    let b = c.submit(&["-n", "1", "-d", &format!("afterany:{a}"), "hellompi"]);
    let d = c.submit(&["-n", "1", "-d", &format!("afterok:{a}"), "hellompi"]);
    c.wait_state(a, "R", std::time::Duration::from_secs(20));
    let held = c.job(b);
    assert_eq!(
        (held["state_code"].as_str(), held["reason"].as_str()),
        (Some("PD"), Some("Dependency")),
        "{held}"
    );
    c.ok("fcancel", &[&a.to_string()]);
    c.wait_state(b, "CD", std::time::Duration::from_secs(20));
    assert_eq!(c.output(b).matches("Hello from rank").count(), 1);
    c.wait_for(std::time::Duration::from_secs(10), || {
        c.job(d)["reason"] == "DependencyNeverSatisfied"
    });
    assert_eq!(c.job(d)["state_code"], "PD");
    let r = c.run("fsub", &["-d", "afterok:999", "hellompi"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("Job dependency problem: job 999 does not exist"),
        "{r:?}"
    );
}

#[test]
fn fqueue_filters_by_state_job_and_user() {
    let c = Cluster::start(&[("node0", 1)]);
    c.upload("deadlock", "faults/deadlock");
    c.upload("hellompi", "mpi/hellompi");
    let done = c.submit(&["-n", "1", "--wait", "hellompi"]);
    let running = c.submit(&["-n", "1", "deadlock"]);
    let pending = c.submit(&["-n", "1", "deadlock"]);
    c.wait_state(running, "R", Duration::from_secs(20));
    let ids = |args: &[&str]| -> Vec<u64> {
        let mut a = vec!["--noheader", "--parsable"];
        a.extend_from_slice(args);
        c.ok("fqueue", &a)
            .lines()
            .map(|l| l.split('|').next().unwrap().trim().parse().unwrap())
            .collect()
    };
    assert_eq!(ids(&[]), vec![running, pending]);
    assert_eq!(ids(&["-t", "PD"]), vec![pending]);
    assert_eq!(ids(&["-t", "running,CD"]), vec![done, running]);
    assert_eq!(
        ids(&["-j", &format!("{done},{pending}")]),
        vec![done, pending]
    );
    assert_eq!(ids(&["-u", "nobody-here"]), Vec::<u64>::new());
    let me = c.job(done)["user"].as_str().unwrap().to_string();
    assert_eq!(ids(&["-a", "-u", &me]).len(), 3);
    c.ok("fcancel", &[&running.to_string(), &pending.to_string()]);
}

#[test]
fn begin_holds_a_job_until_its_time() {
    let c = Cluster::start(&[("node0", 1)]);
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["--begin", "now+2", "hellompi"]);
    let job = c.job(id);
    assert_eq!(
        (job["state_code"].as_str(), job["reason"].as_str()),
        (Some("PD"), Some("BeginTime")),
        "{job}"
    );
    let done = c.wait_for_final(id, Duration::from_secs(20));
    assert_eq!(done["state_code"], "CD", "{done}");
    assert!(
        done["start_time_ms"].as_i64().unwrap() >= job["submit_time_ms"].as_i64().unwrap() + 1500
    );
    let r = c.run("fsub", &["--begin", "tomorrowish", "hellompi"]);
    assert_eq!(r.code, 2, "{r:?}");
    // Absolute dates, as Slurm takes them (local time).
    let later = c.submit(&["--begin", "2099-01-01T08:00", "hellompi"]);
    assert_eq!(c.job(later)["reason"], "BeginTime");
    let expect = {
        let out = std::process::Command::new("date")
            .args(["-d", "2099-01-01 08:00", "+%s"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<i64>()
            .unwrap()
            * 1000
    };
    let job = c.ok("fcontrol", &["show", "job", &later.to_string()]);
    assert!(job.contains("JobState=PENDING Reason=BeginTime"), "{job}");
    let q: serde_json::Value =
        serde_json::from_str(&c.ok("fqueue", &["--start", "--json"])).unwrap();
    assert_eq!(
        q["jobs"][0]["expected_start_ms"], expect,
        "expected to start at its --begin time: {q}"
    );
    let past = c.submit(&["--begin", "2000-01-01", "--wait", "hellompi"]);
    assert_eq!(c.job(past)["state_code"], "CD");
    c.ok("fcancel", &[&later.to_string()]);
    let r = c.run("fsub", &["--begin", "2099-13-01", "hellompi"]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn hold_keeps_a_job_pending_until_frelease() {
    let c = Cluster::start(&[("node0", 1)]);
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["--hold", "hellompi"]);
    let job = c.job(id);
    assert_eq!(
        (job["state_code"].as_str(), job["reason"].as_str()),
        (Some("PD"), Some("JobHeldUser")),
        "{job}"
    );
    let behind = c.submit(&["--wait", "hellompi"]);
    assert_eq!(
        c.job(behind)["state_code"],
        "CD",
        "a held job holds back nothing"
    );
    assert_eq!(c.job(id)["state_code"], "PD");
    c.ok("frelease", &[&id.to_string()]);
    assert_eq!(
        c.wait_for_final(id, Duration::from_secs(20))["state_code"],
        "CD"
    );
    let r = c.run("frelease", &[&id.to_string(), "999"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("is not pending") && r.stderr.contains("invalid job id 999"),
        "{r:?}"
    );
}
