/* One-sided operations with derived datatypes on the origin and/or the target:
 * vector, indexed, contiguous, hvector, and a target count above one (extent
 * applies); the two sides use different types with the same type signature.
 * Put, Get, Accumulate (SUM from every rank into rank 0, MAX on doubles) and
 * Get_accumulate with MPI_NO_OP, all with fences. */
#include <mpi.h>
#include <stdio.h>

#define NW 80 /* ints in the int window */
#define ND 36 /* doubles in the double window */

static int rank, size;

static void show(const char *what, const int *a, int n) {
    printf("rank %d: %s:", rank, what);
    for (int i = 0; i < n; i++) printf(" %d", a[i]);
    printf("\n");
}

static void showd(const char *what, const double *a, int n) {
    printf("rank %d: %s:", rank, what);
    for (int i = 0; i < n; i++) printf(" %g", a[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    /* Eight ints each: vector 4 blocks of 2 with stride 3 (extent 11 ints),
     * indexed blocks 3,1,4 at 0,5,9 (extent 13 ints), contiguous 8, contiguous 4. */
    MPI_Datatype vec, idx, cont8, cont4;
    int bl[3] = {3, 1, 4}, dp[3] = {0, 5, 9};
    MPI_Type_vector(4, 2, 3, MPI_INT, &vec);
    MPI_Type_indexed(3, bl, dp, MPI_INT, &idx);
    MPI_Type_contiguous(8, MPI_INT, &cont8);
    MPI_Type_contiguous(4, MPI_INT, &cont4);
    MPI_Type_commit(&vec);
    MPI_Type_commit(&idx);
    MPI_Type_commit(&cont8);
    MPI_Type_commit(&cont4);

    int *w = NULL;
    MPI_Win win;
    MPI_Win_allocate(NW * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &w, &win);
    for (int i = 0; i < 48; i++) w[i] = -1;
    for (int i = 48; i < 64; i++) w[i] = rank * 100 + i;
    for (int i = 64; i < NW; i++) w[i] = i;

    int src[13];
    for (int i = 0; i < 13; i++) src[i] = rank * 1000 + i;
    int got[13];
    for (int i = 0; i < 13; i++) got[i] = -7;
    int acc[8];
    for (int i = 0; i < 8; i++) acc[i] = rank + 1 + i;

    MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
    /* Origin vector -> target contiguous: right's ints 0..7 get src 0,1,3,4,6,7,9,10. */
    MPI_Put(src, 1, vec, right, 0, 1, cont8, win);
    /* Origin 8 ints -> target vector at 16: ints 16,17,19,20,22,23,25,26. */
    MPI_Put(src, 8, MPI_INT, right, 16, 1, vec, win);
    /* Origin 2 x contiguous(4) -> target indexed at 32: ints 32-34, 37, 41-44. */
    MPI_Put(src, 2, cont4, right, 32, 1, idx, win);
    /* Target vector at 48 of the left neighbour -> origin indexed. */
    MPI_Get(got, 1, idx, left, 48, 1, vec, win);
    /* Everyone adds 8 ints into rank 0 through a vector at 64. */
    MPI_Accumulate(acc, 8, MPI_INT, 0, 64, 1, vec, MPI_SUM, win);
    MPI_Win_fence(0, win);
    show("vector to contiguous", w, 8);
    show("ints to vector", w + 16, 11);
    show("contiguous to indexed", w + 32, 13);
    show("vector to indexed get", got, 13);

    /* Get_accumulate with MPI_NO_OP reads rank 0's vector into contiguous ints. */
    int res[8];
    for (int i = 0; i < 8; i++) res[i] = -7;
    MPI_Get_accumulate(NULL, 0, MPI_INT, res, 1, cont8, 0, 64, 1, vec, MPI_NO_OP, win);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
    show("rank 0 accumulated vector", res, 8);
    if (rank == 0) show("rank 0 ints 64..79", w + 64, 16);
    MPI_Win_free(&win);

    /* Doubles: a vector of 3 single doubles with stride 4 (extent 9 doubles), used
     * with count 2 on the target; an hvector with a byte stride on the origin. */
    MPI_Datatype dvec, dhvec;
    MPI_Type_vector(3, 1, 4, MPI_DOUBLE, &dvec);
    MPI_Type_create_hvector(3, 1, 2 * sizeof(double), MPI_DOUBLE, &dhvec);
    MPI_Type_commit(&dvec);
    MPI_Type_commit(&dhvec);
    double *d = NULL;
    MPI_Win dwin;
    MPI_Win_allocate(ND * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &d, &dwin);
    for (int i = 0; i < ND; i++) d[i] = i < 20 ? -1 : i < 24 ? rank + i * 0.5 : 0;
    double six[6], five[5] = {-9, -9, -9, -9, -9}, mx[3];
    for (int i = 0; i < 6; i++) six[i] = rank * 10 + i + 0.25;
    for (int i = 0; i < 3; i++) mx[i] = (rank * 3 + i) % 5;
    MPI_Win_fence(MPI_MODE_NOPRECEDE, dwin);
    /* 6 doubles -> 2 x vector at 1 on the right: doubles 1,5,9,10,14,18. */
    MPI_Put(six, 6, MPI_DOUBLE, right, 1, 2, dvec, dwin);
    /* Left's doubles 20..22 -> origin hvector: five[0], five[2], five[4]. */
    MPI_Get(five, 1, dhvec, left, 20, 3, MPI_DOUBLE, dwin);
    /* Everyone: MAX of an origin hvector of 3 doubles into rank 0's doubles 24, 28, 32. */
    double mxs[5] = {mx[0], -1, mx[1], -1, mx[2]};
    MPI_Accumulate(mxs, 1, dhvec, 0, 24, 1, dvec, MPI_MAX, dwin);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, dwin);
    showd("doubles 0..19", d, 20);
    showd("hvector get", five, 5);
    if (rank == 0) showd("rank 0 max at 24,28,32", d + 24, 9);
    MPI_Win_free(&dwin);

    MPI_Type_free(&vec);
    MPI_Type_free(&idx);
    MPI_Type_free(&cont8);
    MPI_Type_free(&cont4);
    MPI_Type_free(&dvec);
    MPI_Type_free(&dhvec);
    printf("rank %d: done rma_derived\n", rank);
    MPI_Finalize();
    return 0;
}
