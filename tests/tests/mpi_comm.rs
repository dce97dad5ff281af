//! Groups, communicators and Cartesian topologies give the same results as
//! native OpenMPI running the same C source.

use fbatch_tests::{same_as_mpirun, Cluster};

#[test]
fn group_operations_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/group_ops", n, &[]);
        assert_eq!(
            out.matches("freed 20 of 20 groups").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn comm_dup_and_compare_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/comm_dup_compare", n, &[]);
        assert_eq!(
            out.matches("compare world/dup: CONGRUENT symmetric 1")
                .count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn comm_split_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/comm_split", n, &[]);
        // Odd ranks split with MPI_UNDEFINED and get MPI_COMM_NULL.
        assert_eq!(
            out.matches("odds_undefined: MPI_COMM_NULL").count(),
            n as usize / 2,
            "{out}"
        );
    }
}

#[test]
fn comm_split_type_shared_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/comm_split_type", n, &[]);
        for r in 0..n {
            let line = format!("rank {r} shared: rank {r} of {n} members");
            assert!(out.contains(&line), "missing {line:?} in\n{out}");
        }
    }
}

#[test]
fn comm_create_and_create_group_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/comm_create", n, &[]);
        assert_eq!(
            out.matches("create_empty: MPI_COMM_NULL").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn comm_names_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/comm_names", n, &[]);
        assert_eq!(
            out.matches("world: \"MPI_COMM_WORLD\" len 14").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn cart_create_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 3, 4, 6, 7] {
        let out = same_as_mpirun(&c, "mpi/cart_create", n, &[]);
        assert_eq!(
            out.matches("world topology UNDEFINED").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn cart_shift_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 3, 4, 6, 7] {
        let out = same_as_mpirun(&c, "mpi/cart_shift", n, &[]);
        // The non-periodic line has PROC_NULL neighbours at both ends.
        assert!(out.contains("line dim 0: disp 1 src PROC_NULL"), "{out}");
        assert_eq!(out.matches("done cart_shift").count(), n as usize, "{out}");
    }
}

#[test]
fn cart_sub_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 3, 4, 6, 7] {
        let out = same_as_mpirun(&c, "mpi/cart_sub", n, &[]);
        assert_eq!(
            out.matches("2d_none: topo CART ndims 0 rank 0 of 1")
                .count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn dims_create_matches_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/dims_create", n, &[]);
        assert!(out.contains("12: 12 4x3 3x2x2 3x2x2x1"), "{out}");
        assert_eq!(out.matches(", 0 bad").count(), n as usize, "{out}");
    }
}
