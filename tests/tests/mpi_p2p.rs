//! Point-to-point calls beyond the core, compared with native OpenMPI.

use fbatch_tests::{same_as_mpirun, Cluster};

#[test]
fn nonblocking_operations_and_completion_calls_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_nonblocking", n, &[]);
        assert_eq!(out.matches("cancelled 1").count(), n as usize, "{out}");
    }
}

#[test]
fn send_modes_sendrecv_and_probe_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_modes", n, &[]);
        assert_eq!(out.matches("nothing left 1").count(), n as usize, "{out}");
    }
}

#[test]
fn matched_probes_match_openmpi() {
    let c = Cluster::start(&[("node0", 4)]);
    for n in [1, 4] {
        let out = same_as_mpirun(&c, "mpi/p2p_mprobe", n, &[]);
        assert_eq!(out.matches("noproc rank").count(), n as usize, "{out}");
    }
}

#[test]
fn blocking_send_and_recv_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_send_recv", n, &[]);
        assert_eq!(count(&out, "done p2p_send_recv"), n as usize, "{out}");
        assert_eq!(count(&out, "count 300000"), n as usize, "{out}");
    }
}

#[test]
fn synchronous_sends_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_ssend", n, &[]);
        assert_eq!(count(&out, "done p2p_ssend"), n as usize, "{out}");
        assert_eq!(count(&out, "early completions 0"), 2 * n as usize, "{out}");
    }
}

#[test]
fn buffered_sends_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_bsend", n, &[]);
        assert_eq!(count(&out, "done p2p_bsend"), n as usize, "{out}");
        assert_eq!(
            count(&out, "detach same 1 size same 1"),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn ready_sends_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_rsend", n, &[]);
        assert_eq!(count(&out, "done p2p_rsend"), n as usize, "{out}");
        assert!(out.contains(&format!("ok {n} of {n}")), "{out}");
    }
}

#[test]
fn isend_irecv_and_waitall_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_isend_irecv", n, &[]);
        assert_eq!(count(&out, "done p2p_isend_irecv"), n as usize, "{out}");
        let all_ok = format!("ok {n} of {n} null requests");
        assert_eq!(count(&out, &all_ok), n as usize, "{out}");
    }
}

#[test]
fn waitany_and_waitsome_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_waitany_waitsome", n, &[]);
        assert_eq!(
            count(&out, "done p2p_waitany_waitsome"),
            n as usize,
            "{out}"
        );
        assert_eq!(count(&out, "then undefined empty 1"), n as usize, "{out}");
    }
}

#[test]
fn test_calls_and_request_free_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_test_family", n, &[]);
        assert_eq!(count(&out, "done p2p_test_family"), n as usize, "{out}");
        assert_eq!(count(&out, "early 0 "), 4 * n as usize, "{out}");
    }
}

#[test]
fn cancelled_receives_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_cancel", n, &[]);
        assert_eq!(count(&out, "done p2p_cancel"), n as usize, "{out}");
        assert_eq!(count(&out, "cancelled 3 ok 6 of 6"), n as usize, "{out}");
    }
}

#[test]
fn sendrecv_and_sendrecv_replace_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_sendrecv", n, &[]);
        assert_eq!(count(&out, "done p2p_sendrecv"), n as usize, "{out}");
        assert_eq!(count(&out, "count 120000"), n as usize, "{out}");
    }
}

#[test]
fn probe_and_iprobe_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_probe", n, &[]);
        assert_eq!(count(&out, "done p2p_probe"), n as usize, "{out}");
        assert_eq!(count(&out, "probe 1 iprobe 1"), n as usize, "{out}");
    }
}

#[test]
fn proc_null_peers_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_proc_null", n, &[]);
        assert_eq!(count(&out, "done p2p_proc_null"), n as usize, "{out}");
        assert_eq!(count(&out, "untouched 1"), 2 * n as usize, "{out}");
    }
}

#[test]
fn message_ordering_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_ordering", n, &[]);
        assert_eq!(count(&out, "done p2p_ordering"), n as usize, "{out}");
        assert_eq!(count(&out, "in order 60 of 60"), n as usize, "{out}");
    }
}

#[test]
fn derived_datatypes_in_point_to_point_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_derived", n, &[]);
        assert_eq!(count(&out, "done p2p_derived"), n as usize, "{out}");
        assert_eq!(
            count(&out, "count undefined elements 7"),
            2 * n as usize,
            "{out}"
        );
    }
}

#[test]
fn truncation_and_argument_errors_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_truncate", n, &[]);
        assert_eq!(count(&out, "done p2p_truncate"), n as usize, "{out}");
        let truncated = out
            .lines()
            .filter(|l| l.starts_with("recv rank") && l.contains("MPI_ERR_TRUNCATE"))
            .count();
        assert_eq!(truncated, n as usize, "{out}");
        let in_status = if n > 1 { n as usize } else { 0 };
        assert_eq!(count(&out, "MPI_ERR_IN_STATUS errors"), in_status, "{out}");
    }
}

#[test]
fn persistent_requests_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_persistent", n, &[]);
        assert_eq!(count(&out, "done p2p_persistent"), n as usize, "{out}");
        assert_eq!(count(&out, "ok 3 of 3"), n as usize, "{out}");
    }
}

#[test]
fn messages_larger_than_a_frame_piece_match_openmpi() {
    let c = Cluster::start(&[("node0", 4)]);
    for n in [1, 4] {
        let out = same_as_mpirun(&c, "mpi/p2p_large", n, &[]);
        assert_eq!(count(&out, ": 0 wrong elements"), 5, "{out}");
    }
}

/// Occurrences of `what` in a program's output.
fn count(out: &str, what: &str) -> usize {
    out.matches(what).count()
}
