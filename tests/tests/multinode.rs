//! Jobs whose ranks span several noded processes (three on loopback ports, each
//! its own process with its own Peer service) behave as on one node: the same
//! programs give the same output as native OpenMPI.

use fbatch_tests::{same_as_mpirun_placed, Cluster};
use std::time::Duration;

fn three_nodes() -> Cluster {
    Cluster::start(&[("node0", 3), ("node1", 3), ("node2", 3)])
}

fn spread(c: &Cluster, rel: &str, n: u32) -> String {
    same_as_mpirun_placed(c, rel, n, &["-N", "3"], &[], |_| false)
}

fn nodes_of(c: &Cluster, name: &str) -> Vec<String> {
    let jobs = c.jobs_json();
    let job = jobs
        .iter()
        .rev()
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no job {name} in {jobs:?}"));
    job["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn point_to_point_across_nodes_matches_openmpi() {
    let c = three_nodes();
    for prog in [
        "mpi/p2p_basic",
        "mpi/p2p_send_recv",
        "mpi/p2p_ssend",
        "mpi/p2p_isend_irecv",
        "mpi/p2p_ordering",
        "mpi/p2p_probe",
        "mpi/p2p_derived",
        "mpi/p2p_persistent",
    ] {
        let out = spread(&c, prog, 7);
        assert!(out.contains("rank 6"), "{prog}:\n{out}");
        let name = prog.replace('/', "_");
        assert_eq!(nodes_of(&c, &name).len(), 3, "{prog} was not spread");
    }
}

#[test]
fn messages_larger_than_a_frame_piece_cross_nodes_intact() {
    // 9 MiB messages and one-sided transfers travel as several frames: read
    // straight into posted receives, buffered when unexpected, truncated.
    let c = three_nodes();
    let out = spread(&c, "mpi/p2p_large", 4);
    assert_eq!(out.matches(": 0 wrong elements").count(), 5, "{out}");
    assert_eq!(nodes_of(&c, "mpi_p2p_large").len(), 3);
    let out = spread(&c, "mpi/rma_large", 4);
    assert_eq!(out.matches(": 0 wrong elements").count(), 2, "{out}");
    assert_eq!(nodes_of(&c, "mpi_rma_large").len(), 3);
}

#[test]
fn collectives_across_nodes_match_openmpi() {
    let c = three_nodes();
    for prog in [
        "mpi/coll_basic",
        "mpi/coll_gather",
        "mpi/coll_bcast",
        "mpi/coll_allreduce",
        "mpi/coll_alltoallv",
        "mpi/coll_scan_exscan",
        "mpi/op_user",
        "mpi/comm_split",
        "mpi/cart_sub",
        "mpi/coll_barrier",
        "mpi/coll_reduce",
        "mpi/coll_reduce_scatter",
        "mpi/coll_derived",
        "mpi/op_arith",
        "mpi/op_minloc_maxloc",
        "mpi/comm_create",
    ] {
        let out = spread(&c, prog, 7);
        assert!(!out.is_empty(), "{prog}");
    }
}

#[test]
fn a_rank_failing_on_one_node_ends_the_job_on_every_node() {
    let c = three_nodes();
    c.upload("trap", "faults/trap");
    let r = c.run("fsub", &["-n", "6", "-N", "3", "--wait", "trap"]);
    assert_eq!(r.code, 1, "{r:?}");
    let jobs = c.jobs_json();
    let job = &jobs[0];
    assert_eq!(job["state_code"], "F", "{job}");
    assert!(
        job["reason"]
            .as_str()
            .unwrap()
            .starts_with("rank 1: wasm trap"),
        "{job}"
    );
    c.wait_for(Duration::from_secs(10), || {
        c.nodes_json().iter().all(|n| n["state"] == "idle")
    });
}

#[test]
fn dash_n_and_ntasks_per_node_shape_the_placement() {
    let c = three_nodes();
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["-n", "4", "--ntasks-per-node", "2", "--wait", "hellompi"]);
    assert_eq!(c.job(id)["nodes"].as_array().unwrap().len(), 2);
    let id = c.submit(&["-n", "3", "-N", "3", "--wait", "hellompi"]);
    assert_eq!(c.job(id)["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(c.output(id).matches("Hello from rank").count(), 3);
    let r = c.run("fsub", &["-n", "2", "-N", "3", "hellompi"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("-N 3 asks for more nodes"), "{r:?}");
}

#[test]
fn comm_split_type_shared_groups_the_ranks_of_each_node() {
    let c = three_nodes();
    c.upload("nodes", "misc/nodes");
    let id = c.submit(&["-n", "7", "-N", "3", "--wait", "nodes"]);
    let out = c.output(id);
    // Blocks of 3, 2 and 2 ranks, each node's ranks in one communicator.
    for (rank, size, node_rank, first) in [
        (0, 3, 0, 0),
        (1, 3, 1, 0),
        (2, 3, 2, 0),
        (3, 2, 0, 3),
        (4, 2, 1, 3),
        (5, 2, 0, 5),
        (6, 2, 1, 5),
    ] {
        let want = format!("with {size} ranks, node rank {node_rank}, first {first}");
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("rank {rank}: ")))
            .unwrap_or_else(|| panic!("no rank {rank} in\n{out}"));
        assert!(line.ends_with(&want), "{line} (want {want})");
    }
}

#[test]
fn a_killed_node_fails_a_spread_job_and_frees_the_other_nodes() {
    let mut c = Cluster::start_with(&[("node0", 2), ("node1", 2), ("node2", 2)], 1500);
    c.upload("deadlock", "faults/deadlock");
    let id = c.submit(&["-n", "6", "-N", "3", "deadlock"]);
    c.wait_for(Duration::from_secs(20), || {
        c.output_so_far(id).matches("waiting").count() == 6
    });
    c.kill_node("node1");
    let job = c.wait_for_final(id, Duration::from_secs(20));
    assert_eq!(job["state_code"], "NF", "{job}");
    assert!(job["reason"].as_str().unwrap().contains("node1"), "{job}");
    // The ranks on node0 and node2 were stopped: their slots are free again.
    c.wait_for(Duration::from_secs(10), || {
        c.nodes_json()
            .iter()
            .filter(|n| n["name"] != "node1")
            .all(|n| n["state"] == "idle")
    });
}

#[test]
fn one_sided_operations_across_nodes_match_openmpi() {
    let c = three_nodes();
    for prog in [
        "mpi/win_create",
        "mpi/win_allocate",
        "mpi/win_dynamic",
        "mpi/rma_put_get_fence",
        "mpi/rma_derived",
        "mpi/rma_accumulate",
        "mpi/rma_fetch_and_op",
        "mpi/rma_lock",
        "mpi/rma_pscw",
        "mpi/rma_request",
        "mpi/rma_errors",
    ] {
        let out = spread(&c, prog, 7);
        let name = prog.trim_start_matches("mpi/");
        assert_eq!(
            out.matches(&format!(": done {name}")).count(),
            7,
            "{prog}:\n{out}"
        );
    }
}

#[test]
fn rma_kernels_validate_across_nodes() {
    let c = three_nodes();
    let timing = |l: &str| l.starts_with("Rate") || l.contains("time (s)");
    for (k, args) in [
        ("kernels/transpose_rma", ["10", "240", "16"]),
        ("kernels/stencil_rma", ["10", "203", "2"]),
    ] {
        let out = same_as_mpirun_placed(&c, k, 6, &["-N", "3"], &args, timing);
        assert!(out.contains("Solution validates"), "{k}:\n{out}");
    }
}

#[test]
fn shared_windows_work_per_node_in_a_spread_job() {
    let c = three_nodes();
    c.upload("shared", "mpi/win_allocate_shared");
    let r = c.run("fsub", &["-n", "3", "-N", "3", "--wait", "shared"]);
    let id: u64 = r
        .stdout
        .trim()
        .trim_start_matches("Submitted batch job ")
        .parse()
        .unwrap();
    let out = c.output(id);
    // The program splits by node first, so each node's window is real shared
    // memory; it must succeed, one rank per node.
    assert_eq!(r.code, 0, "{r:?}\n{out}");
    assert_eq!(out.matches("own ok 1 contiguous 1").count(), 3, "{out}");
}

#[test]
fn a_shared_window_over_ranks_of_several_nodes_is_mpi_err_rma_shared() {
    let c = three_nodes();
    c.upload("shared_world", "faults/shared_world");
    let spread = c.submit(&["-n", "3", "-N", "3", "--wait", "shared_world"]);
    assert_eq!(c.output(spread).matches("MPI_ERR_RMA_SHARED").count(), 3);
    let packed = c.submit(&["-n", "3", "--wait", "shared_world"]);
    assert_eq!(c.output(packed).matches("shared window").count(), 3);
}
