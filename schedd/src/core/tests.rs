//! Unit tests of the scheduler core, with no sockets.

use super::partition;
use super::*;

fn req(ntasks: u32) -> JobRequest {
    JobRequest {
        function: "f".into(),
        ntasks,
        output_pattern: "/tmp/fbatch-%j.out".into(),
        user: "ann".into(),
        uid: 1000,
        ..Default::default()
    }
}

fn rep(outcome: JobState, exit_code: i32, reason: impl Into<String>) -> NodeReport {
    let mut r = NodeReport::new(outcome, reason);
    r.exit_code = exit_code;
    r
}

/// A cluster rebuilt from `records` as after a restart of schedd.
fn restored(records: Vec<JobRecord>, run_floor: u32, now_ms: i64) -> Cluster {
    Cluster::restore(
        records,
        vec![Partition::everything()],
        Default::default(),
        run_floor,
        now_ms,
    )
}

fn cluster_with(nodes: &[(&str, u32)]) -> Cluster {
    let mut c = Cluster::new();
    for (name, slots) in nodes {
        assert!(c.register_node(name, *slots, &[], 0).is_empty());
    }
    c
}

fn launches(actions: &[Action]) -> Vec<(JobId, String, Vec<u32>)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Launch {
                job, node, ranks, ..
            } => Some((*job, node.clone(), ranks.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn jobs_get_increasing_ids_and_expanded_output_paths() {
    let mut c = cluster_with(&[("a", 4)]);
    let a = c.submit(req(1), "h".into(), 1).unwrap();
    let b = c.submit(req(1), "h".into(), 2).unwrap();
    assert_eq!((a, b), (1, 2));
    assert_eq!(c.job(2).unwrap().output, "/tmp/fbatch-2.out");
    assert_eq!(c.job(1).unwrap().state, JobState::Pending);
}

#[test]
fn submissions_larger_than_the_cluster_are_refused() {
    let mut c = cluster_with(&[("a", 4), ("b", 2)]);
    assert_eq!(
        c.submit(req(7), "h".into(), 0),
        Err(SubmitError::TooLarge {
            ntasks: 7,
            total: 6,
            partition: "main".into()
        })
    );
    assert_eq!(c.submit(req(0), "h".into(), 0), Err(SubmitError::ZeroTasks));
    assert!(c.submit(req(6), "h".into(), 0).is_ok());
}

#[test]
fn fifo_order_holds_back_jobs_behind_one_that_does_not_fit() {
    let mut c = cluster_with(&[("a", 4)]);
    let j1 = c.submit(req(3), "h".into(), 0).unwrap();
    let j2 = c.submit(req(2), "h".into(), 0).unwrap();
    let j3 = c.submit(req(1), "h".into(), 0).unwrap();
    let acts = c.schedule(10);
    assert_eq!(launches(&acts), vec![(j1, "a".into(), vec![0, 1, 2])]);
    assert_eq!(c.job(j1).unwrap().state, JobState::Running);
    assert_eq!(c.job(j2).unwrap().reason, "Resources");
    assert_eq!(c.job(j3).unwrap().reason, "Priority");
    assert_eq!(c.nodes().next().unwrap().state(), "mix");

    // j1 ends: j2 and j3 both start.
    c.report("a", j1, rep(JobState::Completed, 0, String::new()), 20);
    assert_eq!(c.job(j1).unwrap().state, JobState::Completed);
    assert_eq!(c.take_ended(), vec![j1]);
    let acts = c.schedule(20);
    assert_eq!(launches(&acts).len(), 2);
    assert_eq!(c.nodes().next().unwrap().used, 3);
}

#[test]
fn a_failing_node_stops_the_job_on_the_others_and_names_the_reason() {
    let mut c = cluster_with(&[("a", 2), ("b", 2)]);
    let j = c.submit(req(4), "h".into(), 0).unwrap();
    assert_eq!(launches(&c.schedule(0)).len(), 2);
    let acts = c.report(
        "a",
        j,
        rep(JobState::Failed, 3, "rank 1 exited with code 3"),
        5,
    );
    assert_eq!(
        acts,
        vec![Action::Cancel {
            job: j,
            key: j,
            node: "b".into(),
            state: JobState::Failed,
            reason: "rank 1 exited with code 3".into()
        }]
    );
    assert_eq!(c.job(j).unwrap().state, JobState::Completing);
    c.report("b", j, rep(JobState::Cancelled, 0, String::new()), 6);
    let job = c.job(j).unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.exit_code, 3);
    assert_eq!(job.reason, "rank 1 exited with code 3");
    assert!(c.nodes().all(|n| n.used == 0));
}

#[test]
fn cancelling_pending_and_running_jobs() {
    let mut c = cluster_with(&[("a", 1)]);
    let run = c.submit(req(1), "h".into(), 0).unwrap();
    let wait = c.submit(req(1), "h".into(), 0).unwrap();
    c.schedule(0);
    assert_eq!(
        c.cancel(wait, 1001, "bob", 1),
        Err(CancelError::NotOwner(wait))
    );
    assert!(c.cancel(wait, 1000, "ann", 1).unwrap().is_empty());
    assert_eq!(c.job(wait).unwrap().state, JobState::Cancelled);
    let acts = c.cancel(run, 0, "root", 2).unwrap();
    assert_eq!(acts.len(), 1);
    assert_eq!(c.job(run).unwrap().state, JobState::Completing);
    c.report("a", run, rep(JobState::Cancelled, 0, String::new()), 3);
    assert_eq!(c.job(run).unwrap().state, JobState::Cancelled);
    assert_eq!(c.cancel(run, 0, "root", 4), Err(CancelError::Finished(run)));
    assert_eq!(c.cancel(99, 0, "root", 4), Err(CancelError::NoSuchJob(99)));
}

#[test]
fn a_silent_node_is_declared_dead_and_its_jobs_fail_with_node_fail() {
    let mut c = cluster_with(&[("a", 2), ("b", 2)]);
    let j = c.submit(req(4), "h".into(), 0).unwrap();
    c.schedule(0);
    assert!(c.heartbeat("b", 4000));
    let acts = c.expire_nodes(6000, 5000);
    assert_eq!(acts.len(), 1, "the ranks on b are stopped: {acts:?}");
    assert_eq!(c.nodes().find(|n| n.name == "a").unwrap().state(), "down");
    c.report("b", j, rep(JobState::Cancelled, 0, String::new()), 6001);
    let job = c.job(j).unwrap();
    assert_eq!(job.state, JobState::NodeFail);
    assert!(
        job.reason.contains("node a stopped responding"),
        "{}",
        job.reason
    );
    assert!(!c.heartbeat("a", 7000), "a dead node must register again");
}

#[test]
fn restore_keeps_pending_jobs_and_reclaims_running_ones_from_returning_nodes() {
    let mut c = cluster_with(&[("a", 4)]);
    let run = c.submit(req(2), "h".into(), 0).unwrap();
    let lost = c.submit(req(2), "h".into(), 0).unwrap();
    let queued = c.submit(req(4), "h".into(), 0).unwrap();
    c.schedule(0);
    c.launched(run, "a");
    c.launched(lost, "a");
    let records: Vec<JobRecord> = c.jobs().cloned().collect();

    let mut r = restored(records, 0, 100);
    assert_eq!(r.job(queued).unwrap().state, JobState::Pending);
    // noded comes back still running `run` only.
    r.register_node("a", 4, &[run], 200);
    assert_eq!(r.job(lost).unwrap().state, JobState::NodeFail);
    assert_eq!(r.job(run).unwrap().state, JobState::Running);
    r.report("a", run, rep(JobState::Completed, 0, String::new()), 300);
    assert_eq!(r.job(run).unwrap().state, JobState::Completed);
    assert_eq!(
        launches(&r.schedule(300)),
        vec![(queued, "a".into(), vec![0, 1, 2, 3])]
    );
    let next = r.submit(req(1), "h".into(), 400).unwrap();
    assert_eq!(next, 4, "ids continue after a restart");
}

#[test]
fn restore_fails_running_jobs_whose_node_never_returns() {
    let mut c = cluster_with(&[("a", 4)]);
    let j = c.submit(req(2), "h".into(), 0).unwrap();
    c.schedule(0);
    let mut r = restored(c.jobs().cloned().collect::<Vec<_>>(), 0, 1000);
    assert!(r.expire_nodes(2000, 5000).is_empty());
    r.expire_nodes(7000, 5000);
    assert_eq!(r.job(j).unwrap().state, JobState::NodeFail);
}

#[test]
fn a_returning_node_is_told_to_kill_ranks_schedd_does_not_expect() {
    let mut c = cluster_with(&[("a", 4)]);
    let acts = c.register_node("a", 4, &[77], 10);
    assert!(matches!(&acts[..], [Action::Cancel { job: 77, .. }]));
}

#[test]
fn a_stop_decided_while_a_node_was_away_is_resent_when_it_registers() {
    let mut c = cluster_with(&[("a", 2)]);
    let j = c.submit(req(2), "h".into(), 0).unwrap();
    c.schedule(0);
    let mut r = restored(c.jobs().cloned().collect::<Vec<_>>(), 0, 10);
    // Cancelled before node a is back: the Cancel cannot be delivered yet.
    assert_eq!(r.cancel(j, 0, "root", 20).unwrap().len(), 1);
    let acts = r.register_node("a", 2, &[j], 30);
    assert!(
        matches!(&acts[..], [Action::Cancel { job, state: JobState::Cancelled, .. }] if *job == j),
        "{acts:?}"
    );
}

#[test]
fn dependencies_hold_a_job_until_they_hold_and_do_not_block_the_queue() {
    let mut c = cluster_with(&[("a", 4)]);
    let first = c.submit(req(1), "h".into(), 0).unwrap();
    let mut ok = req(1);
    ok.dependency = format!("afterok:{first}");
    let after_ok = c.submit(ok, "h".into(), 0).unwrap();
    let mut not_ok = req(1);
    not_ok.dependency = format!("afternotok:{first}");
    let after_not_ok = c.submit(not_ok, "h".into(), 0).unwrap();
    let free = c.submit(req(1), "h".into(), 0).unwrap();
    let acts = c.schedule(1);
    let started: Vec<JobId> = launches(&acts).into_iter().map(|l| l.0).collect();
    assert_eq!(
        started,
        vec![first, free],
        "held jobs do not block later ones"
    );
    assert_eq!(c.job(after_ok).unwrap().reason, "Dependency");
    c.report("a", first, rep(JobState::Completed, 0, String::new()), 2);
    let acts = c.schedule(3);
    assert_eq!(launches(&acts)[0].0, after_ok);
    assert_eq!(c.job(after_not_ok).unwrap().state, JobState::Pending);
    assert_eq!(
        c.job(after_not_ok).unwrap().reason,
        "DependencyNeverSatisfied"
    );
    let mut bad = req(1);
    bad.dependency = "afterok:999".into();
    assert!(matches!(
        c.submit(bad, "h".into(), 4),
        Err(SubmitError::Dependency(_))
    ));
}

#[test]
fn exclusive_jobs_take_idle_nodes_and_share_them_with_nobody() {
    let mut c = cluster_with(&[("a", 4), ("b", 4)]);
    let small = c.submit(req(1), "h".into(), 0).unwrap();
    let mut ex = req(2);
    ex.exclusive = true;
    let exclusive = c.submit(ex, "h".into(), 0).unwrap();
    let other = c.submit(req(2), "h".into(), 0).unwrap();
    let acts = c.schedule(1);
    let placed: Vec<(JobId, String)> = launches(&acts).into_iter().map(|l| (l.0, l.1)).collect();
    // The small job fills one node; the exclusive job needs the idle other one;
    // the third may not join it, so it goes next to the small job.
    let node_of = |id: JobId| placed.iter().find(|p| p.0 == id).map(|p| p.1.clone());
    let (s, e, o) = (node_of(small), node_of(exclusive), node_of(other));
    assert!(s.is_some() && e.is_some() && o.is_some(), "{placed:?}");
    assert_ne!(s, e);
    assert_eq!(o, s);
    let mut big = req(3);
    big.ntasks = 3;
    let big = c.submit(big, "h".into(), 2).unwrap();
    c.schedule(2);
    assert_eq!(
        c.job(big).unwrap().reason,
        "Resources",
        "the exclusive node's free slots are not offered"
    );
}

fn timed(ntasks: u32, secs: u32) -> JobRequest {
    JobRequest {
        time_limit_secs: secs,
        ..req(ntasks)
    }
}

fn started(acts: &[Action]) -> Vec<JobId> {
    let mut ids: Vec<JobId> = launches(acts).into_iter().map(|l| l.0).collect();
    ids.dedup();
    ids
}

#[test]
fn higher_priority_and_lower_nice_run_first() {
    let mut c = cluster_with(&[("a", 1)]);
    let blocker = c.submit(req(1), "h".into(), 0).unwrap();
    assert_eq!(started(&c.schedule(0)), vec![blocker]);
    let nice = c
        .submit(JobRequest { nice: 50, ..req(1) }, "h".into(), 1)
        .unwrap();
    let plain = c.submit(req(1), "h".into(), 2).unwrap();
    let mut urgent = req(1);
    urgent.uid = 0;
    urgent.priority = Some(20_000);
    let urgent = c.submit(urgent, "h".into(), 3).unwrap();
    c.schedule(4);
    assert_eq!(c.job(urgent).unwrap().reason, "Resources");
    assert_eq!(c.job(plain).unwrap().reason, "Priority");
    let mut order = Vec::new();
    let mut running = blocker;
    for t in 10..13 {
        c.report("a", running, rep(JobState::Completed, 0, ""), t);
        let s = started(&c.schedule(t));
        assert_eq!(s.len(), 1);
        running = s[0];
        order.push(running);
    }
    assert_eq!(order, vec![urgent, plain, nice]);
    // Only root raises priorities.
    let mut cheeky = req(1);
    cheeky.priority = Some(1);
    assert!(matches!(
        c.submit(cheeky, "h".into(), 20),
        Err(SubmitError::Permission(_))
    ));
    assert!(matches!(
        c.submit(JobRequest { nice: -5, ..req(1) }, "h".into(), 20),
        Err(SubmitError::Permission(_))
    ));
}

#[test]
fn backfill_starts_short_jobs_that_do_not_delay_the_top_job() {
    // 4 slots; a 3-slot job runs until t=100 s. The top pending job needs all 4.
    let mut c = cluster_with(&[("a", 4)]);
    let long = c.submit(timed(3, 100), "h".into(), 0).unwrap();
    assert_eq!(started(&c.schedule(0)), vec![long]);
    let top = c.submit(timed(4, 50), "h".into(), 1).unwrap();
    let short = c.submit(timed(1, 30), "h".into(), 2).unwrap();
    let too_long = c.submit(timed(1, 500), "h".into(), 3).unwrap();
    let no_limit = c.submit(req(1), "h".into(), 4).unwrap();
    let acts = c.schedule(5_000);
    // The short job ends (t=35 s) before the top job's reservation (t=100 s).
    assert_eq!(started(&acts), vec![short]);
    assert_eq!(c.job(top).unwrap().reason, "Resources");
    assert_eq!(c.job(too_long).unwrap().reason, "Priority");
    assert_eq!(c.job(no_limit).unwrap().reason, "Priority");
    let starts = c.expected_starts(5_000, 100);
    assert_eq!(starts.get(&top), Some(&100_000));
    // Without time limits nothing can be shown not to delay it: strict order.
    let mut d = cluster_with(&[("a", 4)]);
    d.submit(req(3), "h".into(), 0).unwrap();
    d.schedule(0);
    d.submit(req(4), "h".into(), 1).unwrap();
    d.submit(timed(1, 1), "h".into(), 2).unwrap();
    assert!(started(&d.schedule(3)).is_empty());
}

#[test]
fn backfill_may_use_slots_the_reservation_leaves_spare() {
    // Two nodes; the top job needs 3 slots, available at t=100 s on node a.
    let mut c = cluster_with(&[("a", 4), ("b", 1)]);
    let a_job = c.submit(timed(4, 100), "h".into(), 0).unwrap();
    assert_eq!(started(&c.schedule(0)), vec![a_job]);
    let mut top = timed(3, 10);
    top.nodes = 1;
    let top = c.submit(top, "h".into(), 1).unwrap();
    let forever = c.submit(timed(1, 10_000), "h".into(), 2).unwrap();
    // `forever` runs past t=100 s but on node b, which the reservation does not need.
    assert_eq!(started(&c.schedule(3)), vec![forever]);
    assert_eq!(c.job(top).unwrap().reason, "Resources");
}

fn parts() -> Vec<Partition> {
    partition::parse_config(
        r#"
        [[partition]]
        name = "short"
        nodes = ["s[1-2]"]
        max_time = "10"
        default = true
        [[partition]]
        name = "long"
        nodes = ["l1"]
        [[partition]]
        name = "closed"
        nodes = ["l1"]
        state = "down"
        "#,
    )
    .unwrap()
}

#[test]
fn partitions_confine_jobs_to_their_nodes_and_limits() {
    let mut c = Cluster::with_partitions(parts());
    for n in ["s1", "s2", "l1"] {
        c.register_node(n, 1, &[], 0);
    }
    let mut long = req(1);
    long.partition = "long".into();
    let long = c.submit(long, "h".into(), 0).unwrap();
    let mut long2 = req(1);
    long2.partition = "long".into();
    let long2 = c.submit(long2, "h".into(), 0).unwrap();
    let short = c.submit(timed(2, 60), "h".into(), 0).unwrap();
    let mut down = req(1);
    down.partition = "closed".into();
    let down = c.submit(down, "h".into(), 0).unwrap();
    let acts = c.schedule(1);
    let nodes_of = |id: JobId| -> Vec<String> {
        launches(&acts)
            .into_iter()
            .filter(|l| l.0 == id)
            .map(|l| l.1)
            .collect()
    };
    assert_eq!(nodes_of(long), vec!["l1"]);
    assert_eq!(nodes_of(short).len(), 2);
    assert!(nodes_of(short).iter().all(|n| n.starts_with('s')));
    assert_eq!(c.job(long2).unwrap().reason, "Resources");
    assert_eq!(c.job(down).unwrap().reason, "PartitionDown");
    assert_eq!(c.job(short).unwrap().time_limit_secs, 60);
    // The default partition's max time applies to jobs that give none.
    let dflt = c.submit(req(1), "h".into(), 2).unwrap();
    assert_eq!(c.job(dflt).unwrap().time_limit_secs, 600);
    assert!(matches!(
        c.submit(timed(1, 601), "h".into(), 2),
        Err(SubmitError::TimeLimit(_))
    ));
    let mut nowhere = req(1);
    nowhere.partition = "nope".into();
    assert_eq!(
        c.submit(nowhere, "h".into(), 2),
        Err(SubmitError::Partition("nope".into()))
    );
    assert!(matches!(
        c.submit(req(3), "h".into(), 2),
        Err(SubmitError::TooLarge { total: 2, .. })
    ));
}

#[test]
fn array_tasks_are_jobs_with_consecutive_ids_and_a_throttle() {
    let mut c = cluster_with(&[("a", 8)]);
    let mut r = req(1);
    r.output_pattern = "/tmp/o-%A_%a.out".into();
    let a = c.submit_array(r, "h".into(), &[0, 1, 2, 5], 2, 0).unwrap();
    let ids: Vec<JobId> = c.jobs().map(|j| j.id).collect();
    assert_eq!(ids, vec![a, a + 1, a + 2, a + 3]);
    let t3 = c.job(a + 3).unwrap();
    assert_eq!(t3.display_id(), format!("{a}_5"));
    assert_eq!(t3.output, format!("/tmp/o-{a}_5.out"));
    assert!(t3
        .request
        .env
        .contains(&("FBATCH_ARRAY_TASK_ID".into(), "5".into())));
    assert_eq!(started(&c.schedule(1)), vec![a, a + 1]);
    assert_eq!(c.job(a + 2).unwrap().reason, "JobArrayTaskLimit");
    c.report("a", a, rep(JobState::Completed, 0, ""), 2);
    assert_eq!(started(&c.schedule(2)), vec![a + 2]);
}

#[test]
fn a_requeue_job_whose_node_dies_runs_again_as_a_new_run() {
    let mut c = cluster_with(&[("a", 2), ("b", 2)]);
    let mut r = req(4);
    r.requeue = Some(true);
    let j = c.submit(r, "h".into(), 0).unwrap();
    assert_eq!(launches(&c.schedule(0)).len(), 2);
    let acts = c.node_lost("a", "node a stopped responding", 10);
    assert_eq!(
        acts,
        vec![Action::Cancel {
            job: j,
            key: j,
            node: "b".into(),
            state: JobState::NodeFail,
            reason: "node a stopped responding".into()
        }]
    );
    c.report("b", j, rep(JobState::Cancelled, 0, ""), 11);
    let job = c.job(j).unwrap();
    assert_eq!(
        (job.state, job.restarts, job.run),
        (JobState::Pending, 1, 1)
    );
    // It needs 4 slots and only b is up: it waits, then runs when a is back.
    assert!(started(&c.schedule(12)).is_empty());
    c.register_node("a", 2, &[], 13);
    let acts = c.schedule(14);
    let keys: Vec<u64> = acts
        .iter()
        .filter_map(|a| match a {
            Action::Launch { key, .. } => Some(*key),
            _ => None,
        })
        .collect();
    assert_eq!(keys, vec![run_key(j, 1), run_key(j, 1)]);
    // A late report of the first run changes nothing.
    c.report("a", j, rep(JobState::Failed, 1, "old"), 15);
    assert_eq!(c.job(j).unwrap().state, JobState::Running);
    // Without --requeue a node failure ends the job.
    let mut d = cluster_with(&[("a", 1)]);
    let k = d.submit(req(1), "h".into(), 16).unwrap();
    d.schedule(16);
    d.node_lost("a", "gone", 17);
    assert_eq!(d.job(k).unwrap().state, JobState::NodeFail);
}

#[test]
fn fcontrol_requeue_stops_a_running_job_and_queues_it_again() {
    let mut c = cluster_with(&[("a", 2)]);
    let j = c.submit(req(2), "h".into(), 0).unwrap();
    c.schedule(0);
    assert_eq!(c.requeue(j, 4242, 1), Err(CancelError::NotOwner(j)));
    let acts = c.requeue(j, 1000, 1).unwrap();
    assert_eq!(acts.len(), 1);
    c.report("a", j, rep(JobState::Cancelled, 0, ""), 2);
    assert_eq!(c.job(j).unwrap().state, JobState::Pending);
    assert_eq!(c.requeue(j, 0, 3), Err(CancelError::StillPending(j)));
    assert_eq!(started(&c.schedule(3)), vec![j]);
    c.report("a", run_key(j, 1), rep(JobState::Completed, 0, ""), 4);
    assert_eq!(c.job(j).unwrap().state, JobState::Completed);
    // An ended job is queued again at once; --no-requeue jobs never are.
    assert!(c.requeue(j, 0, 5).unwrap().is_empty());
    assert_eq!(c.job(j).unwrap().state, JobState::Pending);
    let mut r = req(1);
    r.requeue = Some(false);
    let n = c.submit(r, "h".into(), 6).unwrap();
    assert_eq!(c.requeue(n, 0, 6), Err(CancelError::NotRequeueable(n)));
}

#[test]
fn batch_steps_run_in_order_in_one_allocation() {
    let mut c = cluster_with(&[("a", 2), ("b", 2)]);
    let mut r = req(4);
    r.steps = vec![
        Step {
            function: "one".into(),
            args: vec![],
            ntasks: 2,
            module_hash: "h1".into(),
        },
        Step {
            function: "two".into(),
            args: vec!["x".into()],
            ntasks: 4,
            module_hash: "h2".into(),
        },
    ];
    let j = c.submit(r, "h1".into(), 0).unwrap();
    let first = launches(&c.schedule(0));
    assert_eq!(first.len(), 1, "step 0 uses 2 ranks: one node");
    let node = first[0].1.clone();
    assert_eq!(
        c.nodes().map(|n| n.used).sum::<u32>(),
        4,
        "all 4 slots held"
    );
    let acts = c.report(&node, j, rep(JobState::Completed, 0, ""), 1);
    assert_eq!(launches(&acts).len(), 2, "step 1 runs on both nodes");
    assert_eq!(c.job(j).unwrap().current_step().0, "two");
    let key = run_key(j, 1);
    c.report("a", key, rep(JobState::Completed, 0, ""), 2);
    assert_eq!(c.job(j).unwrap().state, JobState::Running);
    c.report("b", key, rep(JobState::Completed, 0, ""), 3);
    assert_eq!(c.job(j).unwrap().state, JobState::Completed);
    assert!(c.nodes().all(|n| n.used == 0));
}

#[test]
fn drained_nodes_finish_their_jobs_but_take_no_new_ones() {
    let mut c = cluster_with(&[("a", 1), ("b", 1)]);
    let j = c.submit(req(1), "h".into(), 0).unwrap();
    c.schedule(0);
    let node = c.job(j).unwrap().placement[0].node.clone();
    let other = if node == "a" { "b" } else { "a" };
    c.set_drain(&node, Some("maintenance".into())).unwrap();
    c.set_drain(other, Some("maintenance".into())).unwrap();
    let states: Vec<&str> = c.nodes().map(|n| n.state()).collect();
    assert!(
        states.contains(&"drng") && states.contains(&"drain"),
        "{states:?}"
    );
    let k = c.submit(req(1), "h".into(), 1).unwrap();
    assert!(started(&c.schedule(1)).is_empty());
    c.set_drain(other, None).unwrap();
    assert_eq!(started(&c.schedule(2)), vec![k]);
    assert!(c.set_drain("zz", None).is_err());
    assert_eq!(c.drains().len(), 1);
}

#[test]
fn a_cycle_over_a_long_queue_stops_once_nothing_more_can_start() {
    let mut c = Cluster::new();
    for i in 0..100 {
        c.register_node(&format!("n{i}"), 4, &[], 0);
    }
    for _ in 0..50_000 {
        c.submit(timed(1, 60), "h".into(), 0).unwrap();
    }
    assert_eq!(started(&c.schedule(1)).len(), 400);
    assert_eq!(c.pending_count(), 49_600);
    // Nothing is free: the next cycle starts nothing and touches nothing.
    assert!(c.schedule(2).is_empty());
}

#[test]
fn a_launch_lost_in_a_schedd_crash_is_run_again_not_failed() {
    let mut c = cluster_with(&[("a", 2)]);
    let j = c.submit(req(2), "h".into(), 0).unwrap();
    c.schedule(0);
    // schedd dies after persisting the start, before noded accepted the launch.
    let mut r = restored(c.jobs().cloned().collect::<Vec<_>>(), 0, 10);
    r.register_node("a", 2, &[], 20);
    let job = r.job(j).unwrap();
    assert_eq!((job.state, job.run), (JobState::Pending, 1));
    assert_eq!(started(&r.schedule(21)), vec![j]);
}

#[test]
fn pending_jobs_continue_with_a_run_of_this_start_of_schedd() {
    let mut c = cluster_with(&[("a", 1)]);
    let j = c.submit(req(1), "h".into(), 0).unwrap();
    // Launched, but schedd died before the start was persisted: still pending.
    let records: Vec<JobRecord> = c.jobs().cloned().collect();
    c.schedule(0);
    let mut r = restored(records, 512, 5);
    assert_eq!(r.take_dirty(), vec![j], "the new run is persisted");
    let mut acts = r.register_node("a", 1, &[j], 6);
    acts.extend(r.schedule(7));
    // The stale run 0 is killed; the job runs as run 512, not as a second run 0.
    assert!(acts
        .iter()
        .any(|a| matches!(a, Action::Cancel { key, .. } if *key == j)));
    assert!(acts
        .iter()
        .any(|a| matches!(a, Action::Launch { key, .. } if *key == run_key(j, 512))));
}
