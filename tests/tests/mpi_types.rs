//! Datatypes (predefined, derived, packing) give the same results as native
//! OpenMPI running the same C source.

use fbatch_tests::{same_as_mpirun, Cluster};

#[test]
fn predefined_type_sizes_and_transfers_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_predefined", n, &[]);
        // 28 types, each sent around the ring and to self intact on every rank.
        assert_eq!(out.matches("ok 1111").count(), 28 * n as usize, "{out}");
    }
}

#[test]
fn contiguous_vector_and_hvector_types_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_contiguous_vector", n, &[]);
        assert!(!out.contains("BAD@"), "{out}");
        assert_eq!(
            out.matches("done type_contiguous_vector").count(),
            n as usize,
            "{out}"
        );
    }
}

#[test]
fn indexed_and_hindexed_types_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_indexed", n, &[]);
        assert!(!out.contains("BAD@"), "{out}");
        assert!(
            out.contains("gather indexed: 0 4 5 6 10 11 15 16 17 18"),
            "{out}"
        );
    }
}

#[test]
fn struct_types_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_struct", n, &[]);
        // The extent of {int, double, char[3]} is padded to double alignment.
        assert!(out.contains("rec_raw: size 15 lb 0 extent 24"), "{out}");
        assert_eq!(out.matches("done type_struct").count(), n as usize, "{out}");
    }
}

#[test]
fn subarray_types_and_halo_faces_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 2, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_subarray", n, &[]);
        // Three face directions per rank, every ghost cell as expected.
        assert_eq!(
            out.matches("bad 0 stray 0").count(),
            3 * n as usize,
            "{out}"
        );
    }
}

#[test]
fn resized_types_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_resized", n, &[]);
        assert!(out.contains("gathered columns back in place 1"), "{out}");
    }
}

#[test]
fn type_dup_free_and_names_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_dup_free", n, &[]);
        assert_eq!(out.matches("all freed: 1").count(), n as usize, "{out}");
    }
}

#[test]
fn pack_and_unpack_match_openmpi() {
    let c = Cluster::start(&[("node0", 7)]);
    for n in [1, 4, 7] {
        let out = same_as_mpirun(&c, "mpi/type_pack", n, &[]);
        assert_eq!(
            out.matches("packed->typed: count 2").count(),
            n as usize,
            "{out}"
        );
    }
}
