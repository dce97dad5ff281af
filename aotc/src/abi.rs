//! The MPI ABI noded implements: every `"mpi"` import a guest may use, with its wasm
//! signature. `fupload` refuses modules importing anything else, by name.
//!
//! Signatures are written `params:results` with one letter per value: `i` = i32,
//! `I` = i64, `f` = f32, `F` = f64. Pointers, `int`, handles and `MPI_Aint` (a
//! 32-bit `long` on wasm32) are all `i32`; `MPI_Offset` and `MPI_Count` are `i64`.
//! noded's tests check that its linker defines exactly these functions with exactly
//! these types, and the tests crate checks `func/include/mpi.h` lowers to them.

/// The wasm module name MPI functions are imported from.
pub const MPI_MODULE: &str = "mpi";

/// One implemented MPI function: its import name and wasm signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbiFn {
    /// Standard MPI name, e.g. `MPI_Send`.
    pub name: &'static str,
    /// `params:results`, see the module docs.
    pub sig: &'static str,
}

const fn f(name: &'static str, sig: &'static str) -> AbiFn {
    AbiFn { name, sig }
}

/// Every MPI function noded implements.
pub static MPI_FUNCTIONS: &[AbiFn] = &[
    // Environment
    f("MPI_Init", "ii:i"),
    f("MPI_Init_thread", "iiii:i"),
    f("MPI_Initialized", "i:i"),
    f("MPI_Finalize", ":i"),
    f("MPI_Finalized", "i:i"),
    f("MPI_Abort", "ii:i"),
    f("MPI_Wtime", ":F"),
    f("MPI_Wtick", ":F"),
    f("MPI_Get_processor_name", "ii:i"),
    f("MPI_Comm_set_errhandler", "ii:i"),
    f("MPI_Comm_get_errhandler", "ii:i"),
    f("MPI_Error_class", "ii:i"),
    f("MPI_Errhandler_free", "i:i"),
    f("MPI_Error_string", "iii:i"),
    f("MPI_Alloc_mem", "iii:i"),
    f("MPI_Free_mem", "i:i"),
    f("MPI_Comm_get_attr", "iiii:i"),
    f("MPI_Query_thread", "i:i"),
    f("MPI_Is_thread_main", "i:i"),
    f("MPI_Get_version", "ii:i"),
    f("MPI_Get_library_version", "ii:i"),
    f("MPI_Pcontrol", "ii:i"),
    f("MPI_Info_create", "i:i"),
    f("MPI_Info_set", "iii:i"),
    f("MPI_Info_get", "iiiii:i"),
    f("MPI_Info_get_valuelen", "iiii:i"),
    f("MPI_Info_get_nkeys", "ii:i"),
    f("MPI_Info_get_nthkey", "iii:i"),
    f("MPI_Info_delete", "ii:i"),
    f("MPI_Info_dup", "ii:i"),
    f("MPI_Info_free", "i:i"),
    // Groups, communicators, topologies
    f("MPI_Comm_rank", "ii:i"),
    f("MPI_Comm_size", "ii:i"),
    f("MPI_Comm_group", "ii:i"),
    f("MPI_Group_size", "ii:i"),
    f("MPI_Group_rank", "ii:i"),
    f("MPI_Group_incl", "iiii:i"),
    f("MPI_Group_excl", "iiii:i"),
    f("MPI_Group_range_incl", "iiii:i"),
    f("MPI_Group_range_excl", "iiii:i"),
    f("MPI_Group_union", "iii:i"),
    f("MPI_Group_intersection", "iii:i"),
    f("MPI_Group_difference", "iii:i"),
    f("MPI_Group_translate_ranks", "iiiii:i"),
    f("MPI_Group_compare", "iii:i"),
    f("MPI_Group_free", "i:i"),
    f("MPI_Comm_dup", "ii:i"),
    f("MPI_Comm_split", "iiii:i"),
    f("MPI_Comm_split_type", "iiiii:i"),
    f("MPI_Comm_create", "iii:i"),
    f("MPI_Comm_create_group", "iiii:i"),
    f("MPI_Comm_compare", "iii:i"),
    f("MPI_Comm_free", "i:i"),
    f("MPI_Comm_set_name", "ii:i"),
    f("MPI_Comm_get_name", "iii:i"),
    f("MPI_Comm_test_inter", "ii:i"),
    f("MPI_Dims_create", "iii:i"),
    f("MPI_Cart_create", "iiiiii:i"),
    f("MPI_Cartdim_get", "ii:i"),
    f("MPI_Topo_test", "ii:i"),
    f("MPI_Cart_get", "iiiii:i"),
    f("MPI_Cart_rank", "iii:i"),
    f("MPI_Cart_coords", "iiii:i"),
    f("MPI_Cart_shift", "iiiii:i"),
    f("MPI_Cart_sub", "iii:i"),
    // Point-to-point
    f("MPI_Send", "iiiiii:i"),
    f("MPI_Ssend", "iiiiii:i"),
    f("MPI_Bsend", "iiiiii:i"),
    f("MPI_Rsend", "iiiiii:i"),
    f("MPI_Recv", "iiiiiii:i"),
    f("MPI_Isend", "iiiiiii:i"),
    f("MPI_Send_init", "iiiiiii:i"),
    f("MPI_Bsend_init", "iiiiiii:i"),
    f("MPI_Ssend_init", "iiiiiii:i"),
    f("MPI_Rsend_init", "iiiiiii:i"),
    f("MPI_Recv_init", "iiiiiii:i"),
    f("MPI_Start", "i:i"),
    f("MPI_Op_create", "iii:i"),
    f("MPI_Win_create", "iiiiii:i"),
    f("MPI_Win_allocate", "iiiiii:i"),
    f("MPI_Win_allocate_shared", "iiiiii:i"),
    f("MPI_Win_shared_query", "iiiii:i"),
    f("MPI_Win_create_dynamic", "iii:i"),
    f("MPI_Win_attach", "iii:i"),
    f("MPI_Win_detach", "ii:i"),
    f("MPI_Win_free", "i:i"),
    f("MPI_Win_get_attr", "iiii:i"),
    f("MPI_Win_get_group", "ii:i"),
    f("MPI_Win_set_name", "ii:i"),
    f("MPI_Win_get_name", "iii:i"),
    f("MPI_Win_set_errhandler", "ii:i"),
    f("MPI_Win_get_errhandler", "ii:i"),
    f("MPI_Put", "iiiiiiii:i"),
    f("MPI_Get", "iiiiiiii:i"),
    f("MPI_Accumulate", "iiiiiiiii:i"),
    f("MPI_Get_accumulate", "iiiiiiiiiiii:i"),
    f("MPI_Fetch_and_op", "iiiiiii:i"),
    f("MPI_Compare_and_swap", "iiiiiii:i"),
    f("MPI_Rput", "iiiiiiiii:i"),
    f("MPI_Rget", "iiiiiiiii:i"),
    f("MPI_Raccumulate", "iiiiiiiiii:i"),
    f("MPI_Rget_accumulate", "iiiiiiiiiiiii:i"),
    f("MPI_Win_fence", "ii:i"),
    f("MPI_Win_post", "iii:i"),
    f("MPI_Win_start", "iii:i"),
    f("MPI_Win_complete", "i:i"),
    f("MPI_Win_wait", "i:i"),
    f("MPI_Win_test", "ii:i"),
    f("MPI_Win_lock", "iiii:i"),
    f("MPI_Win_unlock", "ii:i"),
    f("MPI_Win_lock_all", "ii:i"),
    f("MPI_Win_unlock_all", "i:i"),
    f("MPI_Win_flush", "ii:i"),
    f("MPI_Win_flush_all", "i:i"),
    f("MPI_Win_flush_local", "ii:i"),
    f("MPI_Win_flush_local_all", "i:i"),
    f("MPI_Win_sync", "i:i"),
    f("MPI_Op_free", "i:i"),
    f("MPI_Op_commutative", "ii:i"),
    f("MPI_Startall", "ii:i"),
    f("MPI_Issend", "iiiiiii:i"),
    f("MPI_Ibsend", "iiiiiii:i"),
    f("MPI_Irsend", "iiiiiii:i"),
    f("MPI_Irecv", "iiiiiii:i"),
    f("MPI_Wait", "ii:i"),
    f("MPI_Test", "iii:i"),
    f("MPI_Waitall", "iii:i"),
    f("MPI_Testall", "iiii:i"),
    f("MPI_Waitany", "iiii:i"),
    f("MPI_Testany", "iiiii:i"),
    f("MPI_Waitsome", "iiiii:i"),
    f("MPI_Testsome", "iiiii:i"),
    f("MPI_Request_free", "i:i"),
    f("MPI_Cancel", "i:i"),
    f("MPI_Test_cancelled", "ii:i"),
    f("MPI_Probe", "iiii:i"),
    f("MPI_Iprobe", "iiiii:i"),
    f("MPI_Sendrecv", "iiiiiiiiiiii:i"),
    f("MPI_Sendrecv_replace", "iiiiiiiii:i"),
    f("MPI_Mprobe", "iiiii:i"),
    f("MPI_Improbe", "iiiiii:i"),
    f("MPI_Mrecv", "iiiii:i"),
    f("MPI_Imrecv", "iiiii:i"),
    f("MPI_Get_count", "iii:i"),
    f("MPI_Get_elements_x", "iii:i"),
    f("MPI_Request_get_status", "iii:i"),
    f("MPI_Get_elements", "iii:i"),
    f("MPI_Buffer_attach", "ii:i"),
    f("MPI_Buffer_detach", "ii:i"),
    // Datatypes
    f("MPI_Type_contiguous", "iii:i"),
    f("MPI_Type_vector", "iiiii:i"),
    f("MPI_Type_create_hvector", "iiiii:i"),
    f("MPI_Type_indexed", "iiiii:i"),
    f("MPI_Type_create_hindexed", "iiiii:i"),
    f("MPI_Type_create_indexed_block", "iiiii:i"),
    f("MPI_Type_create_hindexed_block", "iiiii:i"),
    f("MPI_Type_create_struct", "iiiii:i"),
    f("MPI_Type_create_subarray", "iiiiiii:i"),
    f("MPI_Type_create_resized", "iiii:i"),
    f("MPI_Type_dup", "ii:i"),
    f("MPI_Type_commit", "i:i"),
    f("MPI_Type_free", "i:i"),
    f("MPI_Type_size", "ii:i"),
    f("MPI_Type_size_x", "ii:i"),
    f("MPI_Type_get_extent", "iii:i"),
    f("MPI_Type_get_true_extent", "iii:i"),
    f("MPI_Type_get_extent_x", "iii:i"),
    f("MPI_Type_get_true_extent_x", "iii:i"),
    f("MPI_Type_set_name", "ii:i"),
    f("MPI_Type_get_name", "iii:i"),
    f("MPI_Get_address", "ii:i"),
    f("MPI_Pack", "iiiiiii:i"),
    f("MPI_Unpack", "iiiiiii:i"),
    f("MPI_Pack_size", "iiii:i"),
    // Collectives
    f("MPI_Barrier", "i:i"),
    f("MPI_Bcast", "iiiii:i"),
    f("MPI_Reduce", "iiiiiii:i"),
    f("MPI_Allreduce", "iiiiii:i"),
    f("MPI_Reduce_local", "iiiii:i"),
    f("MPI_Gather", "iiiiiiii:i"),
    f("MPI_Gatherv", "iiiiiiiii:i"),
    f("MPI_Scatter", "iiiiiiii:i"),
    f("MPI_Scatterv", "iiiiiiiii:i"),
    f("MPI_Allgather", "iiiiiii:i"),
    f("MPI_Allgatherv", "iiiiiiii:i"),
    f("MPI_Alltoall", "iiiiiii:i"),
    f("MPI_Alltoallv", "iiiiiiiii:i"),
    f("MPI_Alltoallw", "iiiiiiiii:i"),
    f("MPI_Reduce_scatter", "iiiiii:i"),
    f("MPI_Reduce_scatter_block", "iiiiii:i"),
    f("MPI_Scan", "iiiiii:i"),
    f("MPI_Exscan", "iiiiii:i"),
];

/// Looks up an implemented MPI function by name.
pub fn lookup(name: &str) -> Option<&'static AbiFn> {
    MPI_FUNCTIONS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_signatures_well_formed() {
        let mut names: Vec<_> = MPI_FUNCTIONS.iter().map(|f| f.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate ABI entries");
        for f in MPI_FUNCTIONS {
            let (p, r) = f.sig.split_once(':').expect("signature has a ':'");
            assert!(
                p.chars().chain(r.chars()).all(|c| "iIfF".contains(c)),
                "{}",
                f.name
            );
            assert!(r.len() <= 1, "{} returns at most one value", f.name);
        }
    }
}
