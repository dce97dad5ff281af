/*
 * stencil_shm: a 2D star-shaped stencil of radius R applied to an n x n grid,
 * OUT += stencil(IN) on the interior, then IN += 1, written from the ParRes
 * Kernels (PRK) definition of the kernel, with IN held in MPI-3 shared memory.
 *
 * Usage: stencil_shm <# iterations> <array dimension> [radius]
 *   radius defaults to 2. All ranks must share one node: IN is one grid
 *   allocated with MPI_Win_allocate_shared on the MPI_COMM_TYPE_SHARED
 *   communicator, each rank owning a block of rows (its segment). A rank reads
 *   the R halo rows of its neighbours directly from their segments (located with
 *   MPI_Win_shared_query), with no messages. Inside one lock_all epoch,
 *   MPI_Win_sync + MPI_Barrier + MPI_Win_sync separates the phases: after the
 *   stencil (neighbours are done reading our rows before we change them) and
 *   after IN += 1 (our new rows are visible before neighbours read them).
 * Weights: w(0,+-j) = w(+-j,0) = +-1/(2*j*R), j = 1..R, so with
 * IN(i,j) = COEFX*i + COEFY*j each application adds COEFX+COEFY.
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MFlops/s): R Avg time (s): T" on success.
 */
#include "stencil_common.h"

/* First row and number of rows of rank r when n rows are split over p ranks. */
static int row_start(int r, int n, int p) { return r * (n / p) + (r < n % p ? r : n % p); }
static int row_count(int r, int n, int p) { return n / p + (r < n % p ? 1 : 0); }

/* out += the star stencil of radius R of the n x n grid `in`, on rows [jlo,jhi]
 * (out holds rows from jstart) and columns [ilo,ihi]. */
static inline __attribute__((always_inline)) void star_grid(const int R, double *restrict out,
                                                            const double *restrict in,
                                                            const double *wx_, const double *wy_,
                                                            int ilo, int ihi, int jlo, int jhi,
                                                            int jstart, int n) {
    for (int j = jlo; j <= jhi; j++)
        for (int i = ilo; i <= ihi; i++) {
            double v = out[i + (long long)n * (j - jstart)];
            for (int k = 1; k <= R; k++) {
                v += wy_[R + k] * in[i + (long long)n * (j + k)] + wy_[R - k] * in[i + (long long)n * (j - k)];
                v += wx_[R + k] * in[i + k + (long long)n * j] + wx_[R - k] * in[i - k + (long long)n * j];
            }
            out[i + (long long)n * (j - jstart)] = v;
        }
}

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, my_id, MPI_INFO_NULL, &node);
    int node_size;
    MPI_Comm_size(node, &node_size);
    int one_node = node_size == nranks, all_one_node;
    MPI_Allreduce(&one_node, &all_one_node, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);

    int params[3] = {0, 0, 2}; /* iterations, n, radius */
    int error = 0;
    if (my_id == 0) {
        error = stencil_args(argc, argv, "MPI+SHM", params);
        int n = params[1], R = params[2];
        if (!error && !all_one_node) {
            printf("ERROR: all ranks must share one node\n");
            error = 1;
        } else if (!error && n / nranks < R) {
            printf("ERROR: Grid dimension %d too small for %d ranks and radius %d\n", n, nranks, R);
            error = 1;
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Comm_free(&node); MPI_Finalize(); return 1; }
    MPI_Bcast(params, 3, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], n = params[1], R = params[2];

    /* Rows split over the node's ranks (the node is the world). */
    int me;
    MPI_Comm_rank(node, &me);
    int jstart = row_start(me, n, nranks), height = row_count(me, n, nranks);
    int jend = jstart + height - 1;
    int below = me > 0 ? me - 1 : -1, above = me < nranks - 1 ? me + 1 : -1;

    double *mine = NULL;
    MPI_Win win;
    MPI_Win_allocate_shared((MPI_Aint)((long long)n * height * sizeof(double)), (int)sizeof(double), MPI_INFO_NULL,
                            node, &mine, &win);
    double *out = malloc((long long)n * height * sizeof(double));
    /* Row pointers for rows jstart-R .. jend+R that exist: ours, and the
     * neighbours' rows inside their segments. */
    double **rowp = malloc((height + 2 * R) * sizeof(double *));
    if (!mine || !out || !rowp) {
        printf("ERROR: rank %d could not allocate space for the grids\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (int k = 0; k < height + 2 * R; k++) rowp[k] = NULL;
    for (int j = jstart; j <= jend; j++) rowp[j - jstart + R] = mine + (long long)n * (j - jstart);
    if (below >= 0) {
        MPI_Aint sz;
        int du;
        double *base = NULL;
        MPI_Win_shared_query(win, below, &sz, &du, &base);
        int bstart = row_start(below, n, nranks);
        for (int j = jstart - R; j < jstart; j++) rowp[j - jstart + R] = base + (long long)n * (j - bstart);
    }
    if (above >= 0) {
        MPI_Aint sz;
        int du;
        double *base = NULL;
        MPI_Win_shared_query(win, above, &sz, &du, &base);
        int astart = row_start(above, n, nranks);
        for (int j = jend + 1; j <= jend + R; j++) rowp[j - jstart + R] = base + (long long)n * (j - astart);
    }
#define IN(i, j) rowp[(j) - jstart + R][i]
#define OUT(i, j) out[(i) + (long long)n * ((j) - jstart)]

    /* Star weights: only the axes are non-zero. */
    double *wx_ = malloc((2 * R + 1) * sizeof(double)); /* weights along i, offset by R */
    double *wy_ = malloc((2 * R + 1) * sizeof(double)); /* weights along j, offset by R */
    stencil_weights(R, wx_, wy_);

    MPI_Win_lock_all(MPI_MODE_NOCHECK, win);
    for (int j = jstart; j <= jend; j++)
        for (int i = 0; i < n; i++) {
            IN(i, j) = COEFX * i + COEFY * j;
            OUT(i, j) = 0.0;
        }
    MPI_Win_sync(win);
    MPI_Barrier(node);
    MPI_Win_sync(win);

    /* By default the segments of MPI_Win_allocate_shared are contiguous in rank
     * order (MPI-3.1 11.2.3), so the whole grid is one array from rank 0's base;
     * checked rather than assumed. */
    const double *grid = NULL;
    int contiguous;
    {
        MPI_Aint sz;
        int du;
        double *base0 = NULL;
        MPI_Win_shared_query(win, 0, &sz, &du, &base0);
        grid = base0;
        int mine_ok = mine == base0 + (long long)n * jstart;
        MPI_Allreduce(&mine_ok, &contiguous, 1, MPI_INT, MPI_LAND, node);
    }

    /* Interior (points at least R away from the global boundary) owned here. */
    int ilo = R, ihi = n - 1 - R;
    int jlo = jstart > R ? jstart : R, jhi = jend < n - 1 - R ? jend : n - 1 - R;

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Grid size            = %d\n", n);
        printf("Radius of stencil    = %d\n", R);
        printf("Tiles in x/y-direction = %d/%d\n", 1, nranks);
        printf("Type of stencil      = star\n");
        printf("Number of iterations = %d\n", iterations);
    }

    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(node);
            local_time = MPI_Wtime();
        }
        /* Apply the star stencil on the interior, halo rows read in place. */
        if (contiguous) {
            /* The segments form one n x n grid: index it directly, with the
             * radius a compile-time constant for the usual radii. */
            switch (R) {
            case 1: star_grid(1, out, grid, wx_, wy_, ilo, ihi, jlo, jhi, jstart, n); break;
            case 2: star_grid(2, out, grid, wx_, wy_, ilo, ihi, jlo, jhi, jstart, n); break;
            case 3: star_grid(3, out, grid, wx_, wy_, ilo, ihi, jlo, jhi, jstart, n); break;
            case 4: star_grid(4, out, grid, wx_, wy_, ilo, ihi, jlo, jhi, jstart, n); break;
            default: star_grid(R, out, grid, wx_, wy_, ilo, ihi, jlo, jhi, jstart, n);
            }
        } else {
            for (int j = jlo; j <= jhi; j++)
                for (int i = ilo; i <= ihi; i++) {
                    double v = OUT(i, j);
                    for (int k = 1; k <= R; k++) {
                        v += wy_[R + k] * IN(i, j + k) + wy_[R - k] * IN(i, j - k);
                        v += wx_[R + k] * IN(i + k, j) + wx_[R - k] * IN(i - k, j);
                    }
                    OUT(i, j) = v;
                }
        }
        /* Neighbours have finished reading our rows ... */
        MPI_Win_sync(win);
        MPI_Barrier(node);
        MPI_Win_sync(win);
        /* ... so add the constant to our part of the solution, */
        for (int j = jstart; j <= jend; j++)
            for (int i = 0; i < n; i++) IN(i, j) += 1.0;
        /* and make it visible before anyone reads it. */
        MPI_Win_sync(win);
        MPI_Barrier(node);
        MPI_Win_sync(win);
    }
    local_time = MPI_Wtime() - local_time;
    MPI_Win_unlock_all(win);
    /* Validate the L1 norm of OUT over the interior. */
    double local_norm = 0.0;
    for (int j = jlo; j <= jhi; j++)
        for (int i = ilo; i <= ihi; i++) local_norm += fabs(OUT(i, j));
    int status = stencil_report(local_time, local_norm, my_id, iterations, n, R);
    MPI_Win_free(&win);
    MPI_Comm_free(&node);
    free(out); free(rowp); free(wx_); free(wy_);
    MPI_Finalize();
    return status;
}
