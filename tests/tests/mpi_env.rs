//! Environment management (initialization, threads, versions, memory, errors,
//! attributes, info objects) gives the same results as native OpenMPI running
//! the same C source.

use fbatch_tests::{same_as_mpirun, Cluster};

#[test]
fn init_thread_levels_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for (n, level) in [
        (1, "single"),
        (4, "funneled"),
        (7, "serialized"),
        (4, "multiple"),
    ] {
        let out = same_as_mpirun(&c, "mpi/env_thread", n, &[level]);
        assert_eq!(out.matches("is main 1").count(), n as usize, "{out}");
    }
}

#[test]
fn get_version_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_version", n, &[]);
        assert_eq!(
            out.matches("agree 1 at least 3.0 1").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn alloc_mem_buffers_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_alloc_mem", n, &[]);
        assert_eq!(
            out.matches("500 alloc/free cycles ok 1").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn error_handlers_and_returned_errors_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_errhandler", n, &[]);
        assert_eq!(
            out.matches("send to rank size+3: ERR_RANK").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn error_classes_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_error_class", n, &[]);
        assert_eq!(
            out.matches("58 map to themselves").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn predefined_attributes_and_wtime_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_attr_predefined", n, &[]);
        assert_eq!(
            out.matches("tag_ub: flag 1 >= 32767 1").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn pcontrol_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_pcontrol", n, &[]);
        assert_eq!(out.matches("success 1 1 1").count(), n as usize, "{out}");
    }
}

#[test]
fn info_operations_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_info_ops", n, &[]);
        assert_eq!(
            out.matches("delete missing: ERR_INFO_NOKEY").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn initialized_and_finalized_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/env_initialized", n, &[]);
        assert_eq!(
            out.matches("before init: initialized 0 finalized 0 success 1")
                .count(),
            n as usize,
            "{out}"
        );
        assert_eq!(
            out.matches("after finalize: initialized 1 finalized 1 success 1")
                .count(),
            n as usize,
            "{out}"
        );
    }
}
