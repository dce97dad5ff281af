/* MPI_Get_version and the MPI_VERSION / MPI_SUBVERSION macros: they agree,
 * and Get_version (like Get_library_version, whose text is not compared) may
 * be called before MPI_Init and after MPI_Finalize. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int v0 = -1, s0 = -1, rank;
    MPI_Get_version(&v0, &s0); /* before MPI_Init */
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int liblen = -1;
    MPI_Get_library_version(lib, &liblen);
    /* (OpenMPI counts the terminating null in resultlen, so only check it is sane.) */
    int lib_ok = liblen > 0 && strlen(lib) > 0 && liblen < MPI_MAX_LIBRARY_VERSION_STRING;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int v = -1, s = -1;
    MPI_Get_version(&v, &s);
    printf("rank %d: macros %d.%d before init %d.%d after init %d.%d\n", rank, MPI_VERSION, MPI_SUBVERSION, v0, s0, v,
           s);
    printf("rank %d: agree %d at least 3.0 %d library version ok %d\n", rank,
           v == MPI_VERSION && s == MPI_SUBVERSION && v0 == v && s0 == s, v >= 3, lib_ok);
    /* Every rank reports the same version. */
    int vs[2] = {v, s}, mx[2], mn[2];
    MPI_Allreduce(vs, mx, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(vs, mn, 2, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    printf("rank %d: uniform %d\n", rank, mx[0] == mn[0] && mx[1] == mn[1]);
    MPI_Finalize();

    int v2 = -1, s2 = -1;
    MPI_Get_version(&v2, &s2); /* after MPI_Finalize */
    printf("rank %d: after finalize %d.%d\n", rank, v2, s2);
    printf("rank %d: done env_version\n", rank);
    return 0;
}
