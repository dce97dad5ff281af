//! The PRK-style kernels validate under fbatch and print what they print under
//! native OpenMPI, timings apart.

use fbatch_tests::{same_as_mpirun_except, Cluster};

fn timing(line: &str) -> bool {
    line.starts_with("Rate") || line.contains("time (s)")
}

fn kernel(c: &Cluster, name: &str, ranks: &[u32], args: &[&str]) {
    for &n in ranks {
        let out = same_as_mpirun_except(c, &format!("kernels/{name}"), n, args, timing);
        assert!(
            out.contains("Solution validates"),
            "{name} on {n} ranks:\n{out}"
        );
    }
}

#[test]
fn bandwidth_kernels_validate_like_mpirun() {
    let c = Cluster::start(&[("node0", 4)]);
    kernel(&c, "nstream", &[1, 4], &["10", "100000", "0"]);
    kernel(&c, "transpose", &[1, 4], &["10", "240", "16"]);
    kernel(&c, "reduce", &[1, 3], &["10", "100000"]);
}

#[test]
fn stencil_p2p_and_global_kernels_validate_like_mpirun() {
    let c = Cluster::start(&[("node0", 4)]);
    kernel(&c, "stencil", &[1, 4], &["10", "203"]);
    kernel(&c, "p2p", &[1, 3], &["10", "1000", "100"]);
    kernel(&c, "global", &[1, 4], &["100", "1200"]);
}

#[test]
fn compute_kernels_validate_like_mpirun() {
    let c = Cluster::start(&[("node0", 4)]);
    kernel(&c, "dgemm", &[1, 3], &["5", "250", "32"]);
    kernel(&c, "sparse", &[1, 4], &["10", "8", "2"]);
    kernel(&c, "random", &[1, 4], &["16", "4"]);
}

#[test]
fn rma_and_shared_memory_kernels_validate_like_mpirun() {
    let c = Cluster::start(&[("node0", 4)]);
    kernel(&c, "transpose_rma", &[1, 4], &["10", "240", "16"]);
    kernel(&c, "stencil_rma", &[1, 4], &["10", "203"]);
    kernel(&c, "p2p_rma", &[1, 3], &["10", "1000", "100"]);
    kernel(&c, "stencil_shm", &[1, 4], &["10", "203"]);
}
