/* MPI_Info objects and environment inquiries: Query_thread, Is_thread_main,
 * Get_version, Get_library_version, Pcontrol. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int provided, rank;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int q, main_thread, v, sv, len;
    MPI_Query_thread(&q);
    MPI_Is_thread_main(&main_thread);
    MPI_Get_version(&v, &sv);
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    MPI_Get_library_version(lib, &len);
    MPI_Pcontrol(1);
    printf("rank %d: query matches provided %d main %d version %d.%d library string %d\n", rank, q == provided,
           main_thread, v, sv, len > 0 && strlen(lib) > 0);

    MPI_Info info, copy;
    MPI_Info_create(&info);
    MPI_Info_set(info, "cb_nodes", "4");
    MPI_Info_set(info, "striping_unit", "1048576");
    MPI_Info_set(info, "cb_nodes", "8");
    int nkeys, flag, vlen;
    char key[MPI_MAX_INFO_KEY + 1], val[MPI_MAX_INFO_VAL + 1];
    MPI_Info_get_nkeys(info, &nkeys);
    MPI_Info_get(info, "cb_nodes", MPI_MAX_INFO_VAL, val, &flag);
    printf("rank %d: nkeys %d cb_nodes %s flag %d\n", rank, nkeys, val, flag);
    MPI_Info_get_valuelen(info, "striping_unit", &vlen, &flag);
    printf("rank %d: valuelen %d flag %d\n", rank, vlen, flag);
    MPI_Info_get(info, "missing", MPI_MAX_INFO_VAL, val, &flag);
    printf("rank %d: missing flag %d\n", rank, flag);
    MPI_Info_dup(info, &copy);
    MPI_Info_delete(info, "cb_nodes");
    MPI_Info_get_nkeys(info, &nkeys);
    MPI_Info_get_nthkey(info, 0, key);
    printf("rank %d: after delete nkeys %d first %s\n", rank, nkeys, key);
    MPI_Info_get_nkeys(copy, &nkeys);
    for (int i = 0; i < nkeys; i++) {
        MPI_Info_get_nthkey(copy, i, key);
        MPI_Info_get(copy, key, MPI_MAX_INFO_VAL, val, &flag);
        printf("rank %d: copy %s=%s\n", rank, key, val);
    }
    MPI_Info_free(&info);
    MPI_Info_free(&copy);
    printf("rank %d: freed %d\n", rank, info == MPI_INFO_NULL && copy == MPI_INFO_NULL);
    MPI_Finalize();
    return 0;
}
