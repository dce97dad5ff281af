//! Unit tests of the scheduler core, with no sockets.

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
    let acts = c.report("a", j, rep(JobState::Failed, 3, "rank 1 exited with code 3"), 5);
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
    let records: Vec<JobRecord> = c.jobs().cloned().collect();

    let mut r = Cluster::restore(records, vec![Partition::everything()], Default::default(), 100);
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
    let mut r = Cluster::restore(c.jobs().cloned().collect::<Vec<_>>(), vec![Partition::everything()], Default::default(), 1000);
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
    let mut r = Cluster::restore(c.jobs().cloned().collect::<Vec<_>>(), vec![Partition::everything()], Default::default(), 10);
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
