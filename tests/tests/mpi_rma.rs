//! One-sided communication (windows, RMA operations, synchronisation), compared
//! with native OpenMPI running the same C source.

use fbatch_tests::{same_as_mpirun, Cluster};

fn done(out: &str, name: &str) -> usize {
    out.matches(&format!(": done {name}")).count()
}

#[test]
fn window_creation_and_attributes_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/win_create", n, &[]);
        assert_eq!(done(&out, "win_create"), n as usize, "{out}");
        let out = same_as_mpirun(&c, "mpi/win_allocate", n, &[]);
        assert_eq!(done(&out, "win_allocate"), n as usize, "{out}");
        let out = same_as_mpirun(&c, "mpi/win_dynamic", n, &[]);
        assert_eq!(done(&out, "win_dynamic"), n as usize, "{out}");
    }
}

#[test]
fn shared_windows_are_one_segment_seen_by_plain_loads_and_stores() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/win_allocate_shared", n, &[]);
        assert_eq!(done(&out, "win_allocate_shared"), n as usize, "{out}");
        assert_eq!(
            out.matches("own ok 1 contiguous 1").count(),
            n as usize,
            "{out}"
        );
        assert_eq!(out.matches(" bad 0").count(), n as usize, "{out}");
    }
}

#[test]
fn put_and_get_with_fences_and_derived_types_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/rma_put_get_fence", n, &[]);
        assert_eq!(done(&out, "rma_put_get_fence"), n as usize, "{out}");
        let out = same_as_mpirun(&c, "mpi/rma_derived", n, &[]);
        assert_eq!(done(&out, "rma_derived"), n as usize, "{out}");
    }
    // 9 MiB transfers.
    let out = same_as_mpirun(&c, "mpi/rma_large", 4, &[]);
    assert_eq!(out.matches(": 0 wrong elements").count(), 2, "{out}");
}

#[test]
fn accumulates_and_atomics_are_atomic_per_element() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/rma_accumulate", n, &[]);
        assert_eq!(done(&out, "rma_accumulate"), n as usize, "{out}");
        assert!(
            out.contains("all tickets distinct and complete 1 swap chain complete 1"),
            "{out}"
        );
        let out = same_as_mpirun(&c, "mpi/rma_fetch_and_op", n, &[]);
        assert_eq!(done(&out, "rma_fetch_and_op"), n as usize, "{out}");
        let tickets = format!("total tickets {}, distinct {}", 100 * n, 100 * n);
        assert!(out.contains(&tickets), "{out}");
    }
}

#[test]
fn request_based_operations_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/rma_request", n, &[]);
        assert_eq!(done(&out, "rma_request"), n as usize, "{out}");
    }
}

#[test]
fn post_start_complete_wait_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/rma_pscw", n, &[]);
        assert_eq!(done(&out, "rma_pscw"), n as usize, "{out}");
        let origins = n as usize - 1;
        assert_eq!(out.matches("round 3: completed").count(), origins, "{out}");
    }
}

#[test]
fn locks_flushes_and_sync_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/rma_lock", n, &[]);
        assert_eq!(done(&out, "rma_lock"), n as usize, "{out}");
        assert_eq!(out.matches("wrong 0").count(), 3 * n as usize, "{out}");
    }
}

#[test]
fn rma_errors_are_reported_like_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/rma_errors", n, &[]);
        assert_eq!(done(&out, "rma_errors"), n as usize, "{out}");
        let n = n as usize;
        assert_eq!(
            out.matches(": put outside epoch: ERR_RMA_SYNC").count(),
            n,
            "{out}"
        );
        assert_eq!(
            out.matches(": put displacement -1: error 1").count(),
            n,
            "{out}"
        );
    }
}
