//! Reduction operations on every predefined type, user-defined operations and long
//! double reductions, compared with native OpenMPI running the same C source.

use fbatch_tests::{same_as_mpirun, Cluster};

#[test]
fn arithmetic_reductions_on_every_type_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/op_arith", n, &[]);
        assert_eq!(count(&out, "done op_arith"), n as usize, "{out}");
        let results = out.lines().filter(|l| l.starts_with("MPI_")).count();
        assert_eq!(results, 21 * 4 + 2 * 4 + 2 * 2, "{out}");
        assert_eq!(count(&out, "reduce same 1"), results, "{out}");
    }
}

#[test]
fn logical_and_bitwise_reductions_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/op_logical_bitwise", n, &[]);
        assert_eq!(count(&out, "done op_logical_bitwise"), n as usize, "{out}");
        assert_eq!(count(&out, "reduce same 1"), 10 * 3 + 14 * 3, "{out}");
    }
}

#[test]
fn minloc_and_maxloc_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/op_minloc_maxloc", n, &[]);
        assert_eq!(count(&out, "done op_minloc_maxloc"), n as usize, "{out}");
        assert_eq!(count(&out, "agrees 1"), 5 * n as usize, "{out}");
        assert_eq!(count(&out, "in place same 1"), 5 * n as usize, "{out}");
    }
}

#[test]
fn user_defined_ops_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/op_user", n, &[]);
        assert_eq!(count(&out, "done op_user"), n as usize, "{out}");
        // Reduce at every root, Scan, Exscan (not on rank 0), Reduce_scatter_block.
        assert_eq!(count(&out, "in rank order 1"), 4 * n as usize - 1, "{out}");
        assert_eq!(count(&out, "bad type calls 0"), n as usize, "{out}");
    }
}

#[test]
fn long_double_reductions_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/op_long_double", n, &[]);
        assert_eq!(count(&out, "done op_long_double"), n as usize, "{out}");
        let exact = format!("sum-2^62 {}", n - 1);
        assert_eq!(count(&out, &exact), n as usize, "{out}");
    }
}

/// Occurrences of `what` in a program's output.
fn count(out: &str, what: &str) -> usize {
    out.matches(what).count()
}
