//! The MPI core gives the same results as native OpenMPI running the same C source.

use fbatch_tests::{same_as_mpirun, Cluster};

#[test]
fn point_to_point_semantics_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/p2p_basic", n, &[]);
        assert_eq!(out.matches("ring:").count(), n as usize);
    }
}

#[test]
fn collectives_and_reductions_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_basic", n, &[]);
        let results = out.lines().filter(|l| l.starts_with("MPI_")).count();
        assert_eq!(results, 20, "5 types x 4 ops:\n{out}");
    }
}

#[test]
fn environment_calls_match_openmpi() {
    let c = Cluster::start(&[("node0", 4)]);
    let out = same_as_mpirun(&c, "mpi/env_basic", 4, &[]);
    assert!(out.contains("rank 3: finalized after 1"), "{out}");
}

#[test]
fn ranks_get_argv_and_fbatch_environment() {
    let c = Cluster::start(&[("node0", 3)]);
    c.upload("envargs", "misc/envargs");
    let id = c.submit(&[
        "-n",
        "3",
        "--wait",
        "--env",
        "GREETING=hi there",
        "envargs",
        "a b",
        "-x",
        "--flag",
    ]);
    let out = c.output(id);
    for r in 0..3 {
        let line = format!(
            "rank {r}: argv envargs|a b|-x|--flag job {id} rank {r} size 3 greeting hi there"
        );
        assert!(out.contains(&line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn output_to_dev_null_is_accepted() {
    let c = Cluster::start(&[("node0", 2)]);
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["-n", "2", "--wait", "-o", "/dev/null", "hellompi"]);
    assert_eq!(c.job(id)["state_code"], "CD");
}

#[test]
fn gather_scatter_alltoall_and_scans_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/coll_gather", n, &[]);
        assert_eq!(out.matches("scan rank").count(), n as usize, "{out}");
    }
}

#[test]
fn info_objects_and_environment_inquiries_match_openmpi() {
    let c = Cluster::start(&[("node0", 2)]);
    let out = same_as_mpirun(&c, "mpi/env_info", 2, &[]);
    assert!(out.contains("rank 1: copy cb_nodes=8"), "{out}");
}

#[test]
fn groups_communicators_and_cartesian_topologies_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/comm_groups", n, &[]);
        assert_eq!(out.matches("freed rank").count(), n as usize, "{out}");
    }
}

#[test]
fn derived_datatypes_and_packing_match_openmpi() {
    let c = Cluster::start(&[("node0", 4)]);
    for n in [1, 3] {
        let out = same_as_mpirun(&c, "mpi/types", n, &[]);
        assert_eq!(out.matches("freed rank").count(), n as usize, "{out}");
    }
}

#[test]
fn alloc_mem_and_predefined_attributes_match_openmpi() {
    let c = Cluster::start(&[("node0", 3)]);
    let out = same_as_mpirun(&c, "mpi/env_attr", 3, &[]);
    assert!(out.contains("tag_ub flag 1 at least 32767 1"), "{out}");
}

#[test]
fn fsub_export_and_chdir() {
    let c = Cluster::start(&[("node0", 1)]);
    c.upload("envargs", "misc/envargs");
    // NAME=VALUE entries.
    let id = c.submit(&["--wait", "--export", "GREETING=exported", "envargs"]);
    assert!(
        c.output(id).contains("greeting exported"),
        "{}",
        c.output(id)
    );
    // NAME takes the value from fsub's environment; NONE passes nothing.
    std::env::set_var("GREETING", "from the shell");
    let id = c.submit(&["--wait", "--export", "GREETING", "envargs"]);
    assert!(
        c.output(id).contains("greeting from the shell"),
        "{}",
        c.output(id)
    );
    let id = c.submit(&["--wait", "--export", "NONE", "envargs"]);
    assert!(c.output(id).contains("greeting (none)"), "{}", c.output(id));
    // --chdir: a relative output path lands in that directory.
    let sub = c.dir().join("elsewhere");
    std::fs::create_dir_all(&sub).unwrap();
    let id = c.submit(&[
        "--wait",
        "-D",
        sub.to_str().unwrap(),
        "-o",
        "here-%j.out",
        "envargs",
    ]);
    assert!(sub.join(format!("here-{id}.out")).exists());
    let r = c.run("fsub", &["-D", "/no/such/dir", "envargs"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a directory"), "{r:?}");
}
