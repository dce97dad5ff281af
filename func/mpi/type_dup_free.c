/* MPI_Type_dup and MPI_Type_free: a dup has the original's size, extents and
 * type map, is committed if the original was, stays usable after the original
 * (and the types the original was built from) are freed; dups of dups and of
 * predefined types; Type_free sets the handle to MPI_DATATYPE_NULL. Names:
 * Type_set_name / Type_get_name on derived types and dups, renaming, and the
 * names of predefined types. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static int rank, size, peer, from;

static void describe(const char *name, MPI_Datatype t) {
    int sz;
    MPI_Aint lb, ext, tlb, text;
    MPI_Type_size(t, &sz);
    MPI_Type_get_extent(t, &lb, &ext);
    MPI_Type_get_true_extent(t, &tlb, &text);
    if (rank == 0)
        printf("%s: size %d lb %d extent %d true_lb %d true_extent %d\n", name, sz, (int)lb, (int)ext, (int)tlb,
               (int)text);
}

static void ring(const char *name, MPI_Datatype t, int count) {
    int src[40], dst[40];
    for (int i = 0; i < 40; i++) { src[i] = rank * 100 + i; dst[i] = -1; }
    MPI_Status st;
    MPI_Sendrecv(src, count, t, peer, 0, dst, count, t, from, 0, MPI_COMM_WORLD, &st);
    int cnt;
    MPI_Get_count(&st, t, &cnt);
    printf("rank %d %s x%d:", rank, name, count);
    for (int i = 0; i < 40; i++)
        if (dst[i] != -1) printf(" %d", dst[i] - from * 100);
    printf(" count %d\n", cnt);
}

static void show_name(const char *what, MPI_Datatype t) {
    char name[MPI_MAX_OBJECT_NAME];
    int len = -1;
    MPI_Type_get_name(t, name, &len);
    printf("rank %d name of %s: \"%s\" len %d\n", rank, what, name, len);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    peer = (rank + 1) % size;
    from = (rank + size - 1) % size;

    /* A vector built from a contiguous type; dup it, free the original and its parts. */
    MPI_Datatype pair, vec, dup1, dup2, dup_int, dup_dbl;
    MPI_Type_contiguous(2, MPI_INT, &pair);
    MPI_Type_vector(3, 1, 3, pair, &vec); /* ints 0,1, 6,7, 12,13 */
    MPI_Type_commit(&vec);
    MPI_Type_dup(vec, &dup1); /* committed because vec is */
    MPI_Type_dup(dup1, &dup2);
    describe("vector", vec);
    describe("dup", dup1);
    describe("dup_of_dup", dup2);
    ring("vector", vec, 1);
    ring("dup", dup1, 2);

    MPI_Type_set_name(vec, "vec of pairs");
    MPI_Type_set_name(dup1, "first dup");
    show_name("vector", vec);
    show_name("dup", dup1);
    MPI_Type_set_name(dup1, "renamed dup");
    show_name("dup after rename", dup1);
    MPI_Type_set_name(dup2, "");
    show_name("dup2 set empty", dup2);

    MPI_Type_free(&vec);
    MPI_Type_free(&pair);
    printf("rank %d freed vector and pair: null %d %d\n", rank, vec == MPI_DATATYPE_NULL, pair == MPI_DATATYPE_NULL);
    ring("dup after free", dup1, 2);
    ring("dup_of_dup after free", dup2, 1);
    describe("dup after free", dup1);
    show_name("dup after original freed", dup1);

    /* Uncommitted original: its dup is uncommitted too and must be committed before use. */
    MPI_Datatype ind, ind_dup;
    int bl[2] = {2, 1}, ds[2] = {1, 5};
    MPI_Type_indexed(2, bl, ds, MPI_INT, &ind);
    MPI_Type_dup(ind, &ind_dup);
    MPI_Type_free(&ind);
    MPI_Type_commit(&ind_dup);
    ring("dup of uncommitted indexed", ind_dup, 2);

    /* Dups of predefined types behave like the originals. */
    MPI_Type_dup(MPI_INT, &dup_int);
    MPI_Type_dup(MPI_DOUBLE, &dup_dbl);
    describe("dup MPI_INT", dup_int);
    describe("dup MPI_DOUBLE", dup_dbl);
    int x = rank * 7, y = -1;
    MPI_Sendrecv(&x, 1, dup_int, peer, 1, &y, 1, MPI_INT, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    double dx = rank + 0.5, dy = -1;
    MPI_Sendrecv(&dx, 1, MPI_DOUBLE, peer, 2, &dy, 1, dup_dbl, from, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    /* (Predefined reduction ops need predefined types, and a dup is derived.) */
    int two[2] = {rank, rank + 1}, two_got[2] = {-1, -1};
    MPI_Bcast(two, 2, dup_int, size - 1, MPI_COMM_WORLD);
    MPI_Sendrecv(two, 2, MPI_INT, peer, 3, two_got, 2, dup_int, from, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d predefined dups: int %d double %g bcast %d %d\n", rank, y, dy, two_got[0], two_got[1]);
    MPI_Type_set_name(dup_int, "my int");
    show_name("named dup of MPI_INT", dup_int);

    /* Names of predefined types. */
    MPI_Datatype pre[] = {MPI_INT, MPI_DOUBLE, MPI_CHAR, MPI_BYTE, MPI_FLOAT, MPI_SHORT, MPI_UNSIGNED, MPI_PACKED,
                          MPI_2INT, MPI_DOUBLE_INT};
    const char *pre_names[] = {"MPI_INT", "MPI_DOUBLE", "MPI_CHAR", "MPI_BYTE", "MPI_FLOAT", "MPI_SHORT",
                               "MPI_UNSIGNED", "MPI_PACKED", "MPI_2INT", "MPI_DOUBLE_INT"};
    for (int i = 0; i < (int)(sizeof pre / sizeof pre[0]); i++) show_name(pre_names[i], pre[i]);

    /* Free everything; freeing many types repeatedly does not exhaust anything. */
    for (int i = 0; i < 200; i++) {
        MPI_Datatype a, b;
        MPI_Type_contiguous(i % 5 + 1, MPI_INT, &a);
        MPI_Type_dup(a, &b);
        MPI_Type_free(&a);
        MPI_Type_commit(&b);
        int s;
        MPI_Type_size(b, &s);
        if (s != (i % 5 + 1) * 4) printf("rank %d loop %d size %d\n", rank, i, s);
        MPI_Type_free(&b);
    }
    MPI_Type_free(&dup1);
    MPI_Type_free(&dup2);
    MPI_Type_free(&ind_dup);
    MPI_Type_free(&dup_int);
    MPI_Type_free(&dup_dbl);
    printf("rank %d all freed: %d\n", rank,
           dup1 == MPI_DATATYPE_NULL && dup2 == MPI_DATATYPE_NULL && ind_dup == MPI_DATATYPE_NULL &&
               dup_int == MPI_DATATYPE_NULL && dup_dbl == MPI_DATATYPE_NULL);
    printf("rank %d: done type_dup_free\n", rank);
    MPI_Finalize();
    return 0;
}
