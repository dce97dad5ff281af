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
