//! Slurm-grade scheduling end to end (issue 6): partitions, priorities, backfill,
//! job arrays, batch scripts, requeue, drain, formats and accounting, with real
//! schedd and noded processes on loopback.

use fbatch_tests::Cluster;
use serde_json::Value;
use std::time::Duration;

const T: Duration = Duration::from_secs(30);

fn reason(c: &Cluster, id: u64) -> String {
    c.job(id)["reason"].as_str().unwrap_or_default().to_string()
}

#[test]
fn partitions_route_jobs_and_a_down_partition_holds_them() {
    let c = Cluster::start_configured(
        &[("cpu1", 2), ("cpu2", 2), ("big1", 4)],
        5000,
        r#"
        [[partition]]
        name = "cpu"
        nodes = ["cpu[1-2]"]
        default = true
        max_time = "10"
        [[partition]]
        name = "big"
        nodes = ["big*"]
        [[partition]]
        name = "maint"
        nodes = ["big1"]
        state = "down"
        "#,
    );
    c.upload("hellompi", "mpi/hellompi");
    let big = c.submit(&["-p", "big", "-n", "4", "--wait", "hellompi"]);
    assert_eq!(c.job(big)["nodes"], serde_json::json!(["big1"]));
    assert_eq!(c.job(big)["partition"], "big");
    let dflt = c.submit(&["-n", "4", "--wait", "hellompi"]);
    let j = c.job(dflt);
    assert_eq!(j["partition"], "cpu");
    assert_eq!(j["nodes"], serde_json::json!(["cpu1", "cpu2"]));
    assert_eq!(j["time_limit_secs"], 600, "the partition's MaxTime applies");
    let held = c.submit(&["-p", "maint", "hellompi"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(reason(&c, held), "PartitionDown");
    let r = c.run("fsub", &["-p", "nope", "hellompi"]);
    assert!(
        r.stderr.contains("invalid partition specified: nope"),
        "{r:?}"
    );
    let r = c.run("fsub", &["-t", "11", "hellompi"]);
    assert!(
        r.stderr.contains("Requested time limit is invalid"),
        "{r:?}"
    );
    let r = c.run("fsub", &["-n", "5", "hellompi"]);
    assert!(r.stderr.contains("partition cpu has only 4 slots"), "{r:?}");
    // fqueue -p, finfo and fcontrol show partitions.
    let q = c.ok("fqueue", &["-p", "maint", "--noheader", "-o", "%i %P %r"]);
    assert_eq!(q.trim(), format!("{held} maint PartitionDown"));
    assert_eq!(c.ok("fqueue", &["-p", "cpu", "--noheader"]).trim(), "");
    let nodes = c.nodes_json();
    let big1 = nodes.iter().find(|n| n["name"] == "big1").unwrap();
    assert_eq!(big1["partitions"], serde_json::json!(["big", "maint"]));
    let show = c.ok("fcontrol", &["show", "partition"]);
    assert!(
        show.contains("PartitionName=maint Default=NO State=DOWN")
            && show.contains("PartitionName=cpu Default=YES State=UP")
            && show.contains("MaxTime=10:00"),
        "{show}"
    );
    c.ok("fcancel", &[&held.to_string()]);
}

#[test]
fn priority_nice_and_backfill_order_the_queue() {
    let c = Cluster::start(&[("node0", 2)]);
    c.upload("deadlock", "faults/deadlock");
    c.upload("hellompi", "mpi/hellompi");
    // One slot busy until its 2-minute limit; the top job needs both.
    let long = c.submit(&["-n", "1", "-t", "2", "deadlock"]);
    c.wait_state(long, "R", T);
    let top = c.submit(&["-n", "2", "-t", "5", "deadlock"]);
    let too_long = c.submit(&["-n", "1", "-t", "5", "deadlock"]);
    let nice = c.submit(&["-n", "1", "-t", "1", "--nice", "hellompi"]);
    assert_eq!(c.job(nice)["priority"], 9900);
    let short = c.submit(&["-n", "1", "-t", "1", "--wait", "hellompi"]);
    // `short` (1 min) ends before `long` frees the slots at 2 min: backfilled;
    // `nice` too, once the slot is free again (lower priority, same test).
    assert_eq!(c.job(short)["state_code"], "CD");
    c.wait_state(nice, "CD", T);
    assert_eq!(reason(&c, top), "Resources");
    assert_eq!(reason(&c, too_long), "Priority");
    let q = c.ok("fqueue", &["--start", "--noheader", "-o", "%i %S %Q"]);
    let top_line = q
        .lines()
        .find(|l| l.starts_with(&format!("{top} ")))
        .unwrap_or_else(|| panic!("{q}"));
    assert!(
        !top_line.contains("N/A"),
        "the top job has an expected start: {q}"
    );
    assert!(top_line.ends_with(" 10000"), "{q}");
    let json: Value = serde_json::from_str(&c.ok("fqueue", &["--start", "--json"])).unwrap();
    let start = json["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["job_id"] == top)
        .unwrap()["expected_start_ms"]
        .as_i64()
        .unwrap();
    let long_start = c.job(long)["start_time_ms"].as_i64().unwrap();
    assert_eq!(
        start,
        long_start + 120_000,
        "when the long job's limit ends"
    );
    assert_eq!(c.job(nice)["priority"], 9900);
    let r = c.run("fsub", &["--nice=-5", "hellompi"]);
    if r.code == 0 {
        // Tests running as root may raise priorities.
        assert_eq!(unsafe { libc::getuid() }, 0);
    } else {
        assert!(
            r.stderr.contains("only root may give a negative --nice"),
            "{r:?}"
        );
    }
    c.ok(
        "fcancel",
        &[&long.to_string(), &top.to_string(), &too_long.to_string()],
    );
}

#[test]
fn job_arrays_expand_ids_outputs_and_throttle() {
    let c = Cluster::start(&[("node0", 4)]);
    c.upload("envargs", "misc/envargs");
    let out = c.ok(
        "fsub",
        &[
            "-a",
            "0-3%2",
            "-o",
            "arr-%A_%a.out",
            "--wait",
            "envargs",
            "x",
        ],
    );
    let a: u64 = out
        .trim()
        .strip_prefix("Submitted batch job ")
        .unwrap()
        .parse()
        .unwrap();
    for t in 0..4u64 {
        let job = c.wait_for_final(a + t, T);
        assert_eq!(job["state_code"], "CD");
        assert_eq!(job["job_id_display"], format!("{a}_{t}"));
        let text = std::fs::read_to_string(c.dir().join(format!("arr-{a}_{t}.out"))).unwrap();
        assert!(text.contains(&format!("job {}", a + t)), "{text}");
    }
    let acct = c.ok("facct", &["-j", &a.to_string(), "--parsable", "--noheader"]);
    assert_eq!(acct.lines().count(), 4, "{acct}");
    assert!(
        acct.lines().all(|l| l.starts_with(&format!("{a}_"))),
        "{acct}"
    );
    // Throttled: only 2 of 4 run at once; fcancel A cancels every task, A_i one.
    c.upload("deadlock", "faults/deadlock");
    let b = c.submit(&["-a", "1,3,5,7%2", "deadlock"]);
    c.wait_state(b, "R", T);
    c.wait_state(b + 1, "R", T);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(reason(&c, b + 2), "JobArrayTaskLimit");
    let q = c.ok("fqueue", &["--noheader", "-o", "%i %t"]);
    assert!(q.contains(&format!("{b}_5 PD")), "{q}");
    c.ok("fcancel", &[&format!("{b}_7")]);
    assert_eq!(c.job(b + 3)["state_code"], "CA");
    assert_eq!(c.job(b + 2)["state_code"], "PD");
    c.ok("fcancel", &[&b.to_string()]);
    for t in 0..3 {
        c.wait_state(b + t, "CA", T);
    }
    let r = c.run("fsub", &["-a", "3-1", "deadlock"]);
    assert!(
        r.stderr.contains("invalid job array specification"),
        "{r:?}"
    );
}

#[test]
fn batch_scripts_run_their_steps_in_order_in_one_allocation() {
    let c = Cluster::start(&[("node0", 4)]);
    c.upload("envargs", "misc/envargs");
    c.upload("hellompi", "mpi/hellompi");
    let script = c.dir().join("job.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\n#FBATCH -n 3\n#FBATCH -J twostep --time=1\n\
         # first a one-rank step, then all three ranks\n\
         fsub -n 1 envargs first\nsrun envargs second\n",
    )
    .unwrap();
    let id = c.submit(&["--wait", "job.sh"]);
    let job = c.job(id);
    assert_eq!(job["state_code"], "CD", "{job}");
    assert_eq!(job["name"], "twostep");
    assert_eq!(job["ntasks"], 3);
    assert_eq!(job["steps"], 2);
    let out = c.output(id);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].contains("argv envargs|first") && lines[0].contains("size 1"),
        "{out}"
    );
    assert!(lines[1..]
        .iter()
        .all(|l| l.contains("argv envargs|second") && l.contains("size 3")));
    // The command line overrides #FBATCH options.
    let id = c.submit(&["-J", "renamed", "--wait", "job.sh"]);
    assert_eq!(c.job(id)["name"], "renamed");
    // A failing step ends the job; later steps do not run.
    std::fs::write(&script, "fsub -n 2 nosuch\n").unwrap();
    let r = c.run("fsub", &["job.sh"]);
    assert!(
        r.stderr.contains("function 'nosuch' has not been uploaded"),
        "{r:?}"
    );
    c.upload("trap", "faults/trap");
    std::fs::write(&script, "#FBATCH -n 2\nfsub trap\nfsub hellompi\n").unwrap();
    let id = c.submit(&["job.sh"]);
    let job = c.wait_for_final(id, T);
    assert_eq!(job["state_code"], "F");
    assert_eq!(job["step"], 0);
    // fbatch runs no shell: other commands are refused.
    std::fs::write(&script, "#!/bin/sh\necho hi\nfsub hellompi\n").unwrap();
    let r = c.run("fsub", &["job.sh"]);
    assert!(
        r.stderr.contains("line 2: 'echo hi'") && r.stderr.contains("no shell"),
        "{r:?}"
    );
}

#[test]
fn fcontrol_requeues_drains_and_shows() {
    let mut c = Cluster::start(&[("node0", 1)]);
    c.upload("deadlock", "faults/deadlock");
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["deadlock"]);
    c.wait_state(id, "R", T);
    c.ok("fcontrol", &["requeue", &id.to_string()]);
    c.wait_for(T, || {
        let j = c.job(id);
        j["state_code"] == "R" && j["restarts"] == 1
    });
    let show = c.ok("fcontrol", &["show", "job", &id.to_string()]);
    assert!(
        show.contains(&format!("JobId={id} JobName=deadlock"))
            && show.contains("JobState=RUNNING")
            && show.contains("Restarts=1")
            && show.contains("Partition=main"),
        "{show}"
    );
    c.ok("fcancel", &[&id.to_string()]);
    c.wait_state(id, "CA", T);
    let r = c.run("fcontrol", &["requeue", "999"]);
    assert!(r.stderr.contains("invalid job id 999"), "{r:?}");
    let nr = c.submit(&["--no-requeue", "--wait", "hellompi"]);
    let r = c.run("fcontrol", &["requeue", &nr.to_string()]);
    assert!(r.stderr.contains("--no-requeue"), "{r:?}");
    // A finished job is queued again and runs again.
    let done = c.submit(&["--wait", "hellompi"]);
    c.ok("fcontrol", &["requeue", &done.to_string()]);
    c.wait_for(T, || {
        let j = c.job(done);
        j["state_code"] == "CD" && j["restarts"] == 1
    });
    // Drain: running jobs go on, new ones wait; resume lets them run.
    let running = c.submit(&["deadlock"]);
    c.wait_state(running, "R", T);
    let r = c.run("fcontrol", &["drain", "node0", "--reason", "disk check"]);
    if unsafe { libc::getuid() } != 0 {
        assert!(r.stderr.contains("only root"), "{r:?}");
        return;
    }
    assert_eq!(r.code, 0, "{r:?}");
    let node = &c.nodes_json()[0];
    assert_eq!(
        (node["state"].as_str(), node["reason"].as_str()),
        (Some("drng"), Some("disk check"))
    );
    c.ok("fcancel", &[&running.to_string()]);
    c.wait_state(running, "CA", T);
    assert_eq!(c.nodes_json()[0]["state"], "drain");
    // The drain survives a restart of schedd (it is kept in its store).
    c.kill_schedd();
    c.restart_schedd();
    c.wait_for(T, || {
        let nodes = c.nodes_json();
        nodes.len() == 1 && nodes[0]["state"] == "drain" && nodes[0]["reason"] == "disk check"
    });
    let waiting = c.submit(&["hellompi"]);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(c.job(waiting)["state_code"], "PD");
    assert!(c.ok("finfo", &[]).contains("disk check"));
    c.ok("fcontrol", &["resume", "node0"]);
    c.wait_state(waiting, "CD", T);
    assert_eq!(c.nodes_json()[0]["state"], "idle");
}

#[test]
fn accounting_records_exit_signals_and_peak_memory_per_rank() {
    let c = Cluster::start(&[("node0", 4)]);
    c.upload("trap", "faults/trap");
    c.upload("hellompi", "mpi/hellompi");
    c.upload("deadlock", "faults/deadlock");
    let trap = c.submit(&["-n", "2", "trap"]);
    c.wait_for_final(trap, T);
    let ok = c.submit(&["-n", "3", "--wait", "hellompi"]);
    let cancelled = c.submit(&["deadlock"]);
    c.wait_state(cancelled, "R", T);
    c.ok("fcancel", &[&cancelled.to_string()]);
    c.wait_state(cancelled, "CA", T);
    let acct: Value = serde_json::from_str(&c.ok("facct", &["--json"])).unwrap();
    let get = |id: u64| -> Value {
        acct["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["job_id"] == id)
            .cloned()
            .unwrap()
    };
    // __builtin_trap is wasm's `unreachable`: SIGABRT, as abort() natively.
    assert_eq!(get(trap)["exit"], "1:6");
    assert_eq!(get(ok)["exit"], "0:0");
    assert_eq!(get(cancelled)["exit"], "0:15");
    let mem = get(ok)["rank_mem"].as_array().unwrap().clone();
    assert_eq!(mem.len(), 3, "{mem:?}");
    for (i, m) in mem.iter().enumerate() {
        assert_eq!(m[0], i as u64);
        assert!(m[1].as_u64().unwrap() >= 64 * 1024, "{m}");
    }
    let table = c.ok("facct", &["-j", &ok.to_string()]);
    assert!(
        table.contains("MAXMEM") && table.contains("MAXMEMTASK"),
        "{table}"
    );
    let row = table.lines().nth(1).unwrap();
    assert!(
        row.contains(" 0:0 ") && (row.contains('K') || row.contains('M')),
        "{table}"
    );
}

#[test]
fn fqueue_formats_are_slurms() {
    let c = Cluster::start(&[("node0", 1)]);
    c.upload("deadlock", "faults/deadlock");
    let r = c.submit(&["-J", "runner", "deadlock"]);
    c.wait_state(r, "R", T);
    let p = c.submit(&["-J", "waiter", "-d", &format!("afterok:{r}"), "deadlock"]);
    let q = c.ok("fqueue", &[]);
    let header = q.lines().next().unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        [
            "JOBID",
            "PARTITION",
            "NAME",
            "USER",
            "ST",
            "TIME",
            "NODES",
            "NODELIST(REASON)"
        ]
    );
    let q = c.ok("fqueue", &["--noheader", "-o", "%i|%j|%t|%T|%D|%R|%E|%.6C"]);
    let lines: Vec<&str> = q.lines().collect();
    assert_eq!(
        lines[0],
        format!("{r}|runner|R|RUNNING|1|node0|(null)|     1")
    );
    assert_eq!(
        lines[1],
        format!("{p}|waiter|PD|PENDING|1|(Dependency)|afterok:{r}|     1")
    );
    let r2 = c.run("fqueue", &["-o", "%i %Y"]);
    assert!(r2.stderr.contains("unknown format field %Y"), "{r2:?}");
    c.ok("fcancel", &[&r.to_string(), &p.to_string()]);
}
