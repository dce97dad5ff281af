/*
 * stencil_rma: a 2D star-shaped stencil of radius R applied to an n x n grid,
 * OUT += stencil(IN) on the interior, then IN += 1, written from the ParRes
 * Kernels (PRK) definition of the kernel, with the halo exchange done by
 * one-sided MPI_Put under general active-target synchronisation (PSCW).
 *
 * Usage: stencil_rma <# iterations> <array dimension> [radius]
 *   radius defaults to 2. The grid is split over a 2D process grid chosen by
 *   MPI_Dims_create. Each rank's window (MPI_Win_allocate) holds four halo
 *   receive areas (from left, right, down, up); every iteration it posts its
 *   window to its neighbours (MPI_Win_post), starts an access epoch to them
 *   (MPI_Win_start), Puts its boundary strips into their areas,
 *   MPI_Win_complete, MPI_Win_wait, and copies the received halos into IN.
 * Weights: w(0,+-j) = w(+-j,0) = +-1/(2*j*R), j = 1..R, so with
 * IN(i,j) = COEFX*i + COEFY*j each application adds COEFX+COEFY.
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MFlops/s): R Avg time (s): T" on success.
 */
#include "stencil_common.h"

#include "stencil_star.h"

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int dims[2] = {0, 0};
    MPI_Dims_create(nranks, 2, dims);
    int npx = dims[0], npy = dims[1];

    int params[3] = {0, 0, 2}; /* iterations, n, radius */
    int error = 0;
    if (my_id == 0) {
        error = stencil_args(argc, argv, "MPIRMA", params);
        int n = params[1], R = params[2];
        if (!error && (n / npx < R || n / npy < R)) {
            printf("ERROR: Grid dimension %d too small for %dx%d ranks and radius %d\n", n, npx, npy, R);
            error = 1;
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 3, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], n = params[1], R = params[2];

    /* Process grid position and block extents (remainder spread over low ranks). */
    int idx = my_id % npx, idy = my_id / npx;
    int wx = n / npx, rx = n % npx;
    int istart = idx * wx + (idx < rx ? idx : rx);
    int width = wx + (idx < rx ? 1 : 0);
    int iend = istart + width - 1;
    int wy = n / npy, ry = n % npy;
    int jstart = idy * wy + (idy < ry ? idy : ry);
    int height = wy + (idy < ry ? 1 : 0);
    int jend = jstart + height - 1;

    int left = idx > 0 ? my_id - 1 : -1;
    int right = idx < npx - 1 ? my_id + 1 : -1;
    int down = idy > 0 ? my_id - npx : -1;
    int up = idy < npy - 1 ? my_id + npx : -1;

    int ld = width + 2 * R; /* leading dimension including halos */
    long long total = (long long)ld * (height + 2 * R);
    double *in = malloc(total * sizeof(double));
    double *out = malloc((long long)width * height * sizeof(double));
    /* The largest block side of any rank: every rank lays out its window the
     * same way, so a neighbour's receive area offsets are known. */
    int maxw = wx + (rx > 0);
    if (wy + (ry > 0) > maxw) maxw = wy + (ry > 0);
    long long area = (long long)R * maxw;
    double *bufs = malloc(4LL * area * sizeof(double)); /* send strips */
    double *win_mem = NULL;
    MPI_Win win;
    MPI_Win_allocate((MPI_Aint)(4LL * area * sizeof(double)), (int)sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD,
                     &win_mem, &win);
    if (!in || !out || !bufs || !win_mem) {
        printf("ERROR: rank %d could not allocate space for the grids\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    /* Window areas, by where the halo comes from. */
    enum { FROM_LEFT, FROM_RIGHT, FROM_DOWN, FROM_UP };
    double *s_left = bufs, *s_right = bufs + area, *s_down = bufs + 2 * area, *s_up = bufs + 3 * area;
    const double *r_left = win_mem + FROM_LEFT * area, *r_right = win_mem + FROM_RIGHT * area,
                 *r_down = win_mem + FROM_DOWN * area, *r_up = win_mem + FROM_UP * area;

    /* The neighbours, as a group for both the exposure and the access epochs. */
    MPI_Group world_group, nbr_group;
    {
        int nbrs[4], nn = 0;
        if (left >= 0) nbrs[nn++] = left;
        if (right >= 0) nbrs[nn++] = right;
        if (down >= 0) nbrs[nn++] = down;
        if (up >= 0) nbrs[nn++] = up;
        MPI_Comm_group(MPI_COMM_WORLD, &world_group);
        MPI_Group_incl(world_group, nn, nbrs, &nbr_group);
    }

    /* Star weights: only the axes are non-zero. */
    double *wx_ = malloc((2 * R + 1) * sizeof(double)); /* weights along i, offset by R */
    double *wy_ = malloc((2 * R + 1) * sizeof(double)); /* weights along j, offset by R */
    stencil_weights(R, wx_, wy_);

    for (long long k = 0; k < total; k++) in[k] = 0.0;
    for (int j = jstart; j <= jend; j++)
        for (int i = istart; i <= iend; i++) {
            IN(i, j) = COEFX * i + COEFY * j;
            OUT(i, j) = 0.0;
        }

    /* Interior (points at least R away from the global boundary) owned here. */
    int ilo = istart > R ? istart : R, ihi = iend < n - 1 - R ? iend : n - 1 - R;
    int jlo = jstart > R ? jstart : R, jhi = jend < n - 1 - R ? jend : n - 1 - R;

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Grid size            = %d\n", n);
        printf("Radius of stencil    = %d\n", R);
        printf("Tiles in x/y-direction = %d/%d\n", npx, npy);
        printf("Type of stencil      = star\n");
        printf("Number of iterations = %d\n", iterations);
    }

    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        /* Halo exchange: expose our window, Put our boundary strips into the
         * neighbours' areas, complete, and wait for theirs. Only remote Puts
         * write the window, so the post asserts MPI_MODE_NOSTORE. */
        MPI_Win_post(nbr_group, MPI_MODE_NOSTORE, win);
        MPI_Win_start(nbr_group, 0, win);
        if (up >= 0) {
            for (int kk = 0, j = jend - R + 1; j <= jend; j++)
                for (int i = istart; i <= iend; i++) s_up[kk++] = IN(i, j);
            MPI_Put(s_up, R * width, MPI_DOUBLE, up, FROM_DOWN * area, R * width, MPI_DOUBLE, win);
        }
        if (down >= 0) {
            for (int kk = 0, j = jstart; j < jstart + R; j++)
                for (int i = istart; i <= iend; i++) s_down[kk++] = IN(i, j);
            MPI_Put(s_down, R * width, MPI_DOUBLE, down, FROM_UP * area, R * width, MPI_DOUBLE, win);
        }
        if (right >= 0) {
            for (int kk = 0, j = jstart; j <= jend; j++)
                for (int i = iend - R + 1; i <= iend; i++) s_right[kk++] = IN(i, j);
            MPI_Put(s_right, R * height, MPI_DOUBLE, right, FROM_LEFT * area, R * height, MPI_DOUBLE, win);
        }
        if (left >= 0) {
            for (int kk = 0, j = jstart; j <= jend; j++)
                for (int i = istart; i < istart + R; i++) s_left[kk++] = IN(i, j);
            MPI_Put(s_left, R * height, MPI_DOUBLE, left, FROM_RIGHT * area, R * height, MPI_DOUBLE, win);
        }
        MPI_Win_complete(win);
        MPI_Win_wait(win);
        if (up >= 0)
            for (int kk = 0, j = jend + 1; j <= jend + R; j++)
                for (int i = istart; i <= iend; i++) IN(i, j) = r_up[kk++];
        if (down >= 0)
            for (int kk = 0, j = jstart - R; j < jstart; j++)
                for (int i = istart; i <= iend; i++) IN(i, j) = r_down[kk++];
        if (right >= 0)
            for (int kk = 0, j = jstart; j <= jend; j++)
                for (int i = iend + 1; i <= iend + R; i++) IN(i, j) = r_right[kk++];
        if (left >= 0)
            for (int kk = 0, j = jstart; j <= jend; j++)
                for (int i = istart - R; i < istart; i++) IN(i, j) = r_left[kk++];

        /* Apply the star stencil on the interior, with the radius a compile-time
         * constant for the usual radii (PRK fixes RADIUS at compile time). */
        switch (R) {
        case 1: star(1, out, in, wx_, wy_, ilo, ihi, jlo, jhi, istart, jstart, ld, width); break;
        case 2: star(2, out, in, wx_, wy_, ilo, ihi, jlo, jhi, istart, jstart, ld, width); break;
        case 3: star(3, out, in, wx_, wy_, ilo, ihi, jlo, jhi, istart, jstart, ld, width); break;
        case 4: star(4, out, in, wx_, wy_, ilo, ihi, jlo, jhi, istart, jstart, ld, width); break;
        default: star(R, out, in, wx_, wy_, ilo, ihi, jlo, jhi, istart, jstart, ld, width);
        }
        /* Add constant to the solution. */
        for (int j = jstart; j <= jend; j++)
            for (int i = istart; i <= iend; i++) IN(i, j) += 1.0;
    }
    local_time = MPI_Wtime() - local_time;
    /* Validate the L1 norm of OUT over the interior. */
    double local_norm = 0.0;
    for (int j = jlo; j <= jhi; j++)
        for (int i = ilo; i <= ihi; i++) local_norm += fabs(OUT(i, j));
    int status = stencil_report(local_time, local_norm, my_id, iterations, n, R);
    if (nbr_group != MPI_GROUP_EMPTY) MPI_Group_free(&nbr_group); /* no neighbours: may be predefined */
    MPI_Group_free(&world_group);
    MPI_Win_free(&win);
    free(in); free(out); free(bufs); free(wx_); free(wy_);
    MPI_Finalize();
    return status;
}
