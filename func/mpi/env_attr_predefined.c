/* Predefined attributes of MPI_COMM_WORLD via MPI_Comm_get_attr: MPI_TAG_UB
 * (at least 32767, and usable as a tag), MPI_WTIME_IS_GLOBAL (a boolean),
 * MPI_HOST (a valid value), MPI_IO (MPI_ANY_SOURCE when every process can do
 * I/O, MPI-3.1 section 8.1.2; printed by meaning), MPI_UNIVERSE_SIZE
 * and MPI_APPNUM (present), MPI_LASTUSEDCODE; the same on every rank. Also
 * MPI_Wtime (non-decreasing, advances) and MPI_Wtick (positive, small). */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int *tag_ub, *wg, *host, *io, *usize, *appnum, *last;
    int f_tag, f_wg, f_host, f_io, f_usize, f_appnum, f_last;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &f_tag);
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &wg, &f_wg);
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_HOST, &host, &f_host);
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_IO, &io, &f_io);
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_UNIVERSE_SIZE, &usize, &f_usize);
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_APPNUM, &appnum, &f_appnum);
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_LASTUSEDCODE, &last, &f_last);

    printf("rank %d tag_ub: flag %d >= 32767 %d\n", rank, f_tag, f_tag && *tag_ub >= 32767);
    printf("rank %d wtime_is_global: flag %d boolean %d\n", rank, f_wg, f_wg && (*wg == 0 || *wg == 1));
    /* MPI_HOST: MPI_PROC_NULL or a rank of MPI_COMM_WORLD. */
    printf("rank %d host: flag %d valid %d\n", rank, f_host,
           f_host && (*host == MPI_PROC_NULL || (*host >= 0 && *host < size)));
    /* MPI_IO: MPI_ANY_SOURCE if every process can do I/O, else a rank (or PROC_NULL). */
    const char *io_meaning = !f_io ? "absent"
                             : *io == MPI_ANY_SOURCE ? "ANY_SOURCE"
                             : *io == MPI_PROC_NULL  ? "PROC_NULL"
                             : *io == rank           ? "MY_RANK"
                             : (*io >= 0 && *io < size) ? "OTHER_RANK"
                                                        : "INVALID";
    printf("rank %d io: flag %d value %s\n", rank, f_io, io_meaning);
    /* (Its value depends on the launcher's slots, so only presence is compared.) */
    printf("rank %d universe_size: flag %d positive %d\n", rank, f_usize, f_usize && *usize > 0);
    printf("rank %d appnum: flag %d\n", rank, f_appnum);
    printf("rank %d lastusedcode: flag %d >= MPI_ERR_LASTCODE %d\n", rank, f_last, f_last && *last >= MPI_ERR_LASTCODE);

    /* TAG_UB itself is a valid tag. */
    int x = rank, y = -1;
    MPI_Status st;
    MPI_Sendrecv(&x, 1, MPI_INT, rank, *tag_ub, &y, 1, MPI_INT, rank, *tag_ub, MPI_COMM_WORLD, &st);
    printf("rank %d tag_ub as tag: got %d tag matches %d\n", rank, y, st.MPI_TAG == *tag_ub);

    /* Every rank sees the same values. */
    int v[3] = {*tag_ub, f_wg ? *wg : -1, f_usize ? *usize : -1}, mn[3], mx[3];
    MPI_Allreduce(v, mn, 3, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(v, mx, 3, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    printf("rank %d uniform %d\n", rank, mn[0] == mx[0] && mn[1] == mx[1] && mn[2] == mx[2]);

    /* Wtime and Wtick. */
    double tick = MPI_Wtick(), t0 = MPI_Wtime(), prev = t0;
    int monotonic = 1;
    for (int i = 0; i < 10000; i++) {
        double t = MPI_Wtime();
        if (t < prev) monotonic = 0;
        prev = t;
    }
    double t1;
    do t1 = MPI_Wtime(); while (t1 - t0 < 0.01); /* busy wait 10 ms */
    MPI_Barrier(MPI_COMM_WORLD);
    double t2 = MPI_Wtime();
    printf("rank %d wtime: monotonic %d advances %d elapsed plausible %d tick positive %d tick <= 1ms %d\n", rank,
           monotonic, t1 > t0, t2 - t0 >= 0.01 && t2 - t0 < 60, tick > 0, tick <= 1e-3);

    printf("rank %d: done env_attr_predefined\n", rank);
    MPI_Finalize();
    return 0;
}
