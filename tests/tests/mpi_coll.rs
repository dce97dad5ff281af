//! Collective operations, compared with native OpenMPI running the same C source.

use fbatch_tests::{same_as_mpirun, Cluster};

#[test]
fn barriers_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_barrier", n, &[]);
        assert_eq!(count(&out, "done coll_barrier"), n as usize, "{out}");
        assert_eq!(count(&out, "200 barriers ok"), n as usize, "{out}");
        assert_eq!(count(&out, "rsend round"), n as usize, "{out}");
    }
}

#[test]
fn broadcasts_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_bcast", n, &[]);
        assert_eq!(count(&out, "done coll_bcast"), n as usize, "{out}");
        let roots = out.lines().filter(|l| l.starts_with("root ")).count();
        assert_eq!(roots, (n * n) as usize, "{out}");
        assert_eq!(count(&out, "sum 14999150000 wrong 0"), n as usize, "{out}");
    }
}

#[test]
fn reduce_at_every_root_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_reduce", n, &[]);
        assert_eq!(count(&out, "done coll_reduce"), n as usize, "{out}");
        let results = out.lines().filter(|l| l.starts_with("root ")).count();
        assert_eq!(results, 4 * n as usize, "4 ops per root:\n{out}");
        assert_eq!(count(&out, "in place root"), n as usize, "{out}");
    }
}

#[test]
fn allreduce_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_allreduce", n, &[]);
        assert_eq!(count(&out, "done coll_allreduce"), n as usize, "{out}");
        assert_eq!(count(&out, "in place same 1"), 4 * n as usize, "{out}");
    }
}

#[test]
fn gatherv_and_scatterv_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_gatherv_scatterv", n, &[]);
        assert_eq!(
            count(&out, "done coll_gatherv_scatterv"),
            n as usize,
            "{out}"
        );
        assert_eq!(count(&out, "buffer intact 1"), n as usize, "{out}");
        assert_eq!(count(&out, "scatterv root"), (n * n) as usize, "{out}");
    }
}

#[test]
fn allgather_and_allgatherv_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_allgather_allgatherv", n, &[]);
        assert_eq!(
            count(&out, "done coll_allgather_allgatherv"),
            n as usize,
            "{out}"
        );
        assert_eq!(count(&out, "allgatherv in place rank"), n as usize, "{out}");
    }
}

#[test]
fn alltoall_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_alltoall", n, &[]);
        assert_eq!(count(&out, "done coll_alltoall"), n as usize, "{out}");
        assert_eq!(count(&out, "back 1"), n as usize, "{out}");
    }
}

#[test]
fn alltoallv_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_alltoallv", n, &[]);
        assert_eq!(count(&out, "done coll_alltoallv"), n as usize, "{out}");
        assert_eq!(count(&out, "wrong 0"), n as usize, "{out}");
    }
}

#[test]
fn alltoallw_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_alltoallw", n, &[]);
        assert_eq!(count(&out, "done coll_alltoallw"), n as usize, "{out}");
        assert_eq!(count(&out, "mixed rank"), n as usize, "{out}");
    }
}

#[test]
fn reduce_scatter_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_reduce_scatter", n, &[]);
        assert_eq!(count(&out, "done coll_reduce_scatter"), n as usize, "{out}");
        assert_eq!(count(&out, "wrong 0"), n as usize, "{out}");
    }
}

#[test]
fn scan_and_exscan_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_scan_exscan", n, &[]);
        assert_eq!(count(&out, "done coll_scan_exscan"), n as usize, "{out}");
        assert_eq!(count(&out, "in place same 1"), 4 * n as usize, "{out}");
        assert_eq!(count(&out, "exscan rank"), 4 * (n - 1) as usize, "{out}");
    }
}

#[test]
fn collectives_on_derived_datatypes_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_derived", n, &[]);
        assert_eq!(count(&out, "done coll_derived"), n as usize, "{out}");
        assert_eq!(count(&out, "allgather structs rank"), n as usize, "{out}");
        assert_eq!(count(&out, ": ok 1"), n as usize, "{out}");
    }
}

/// Occurrences of `what` in a program's output.
fn count(out: &str, what: &str) -> usize {
    out.matches(what).count()
}
