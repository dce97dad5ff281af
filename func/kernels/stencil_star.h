/* The star stencil of the stencil kernels (stencil.c, stencil_rma.c): shared so
 * both apply exactly the same arithmetic. IN/OUT index the local tile with its
 * halo of width R (leading dimension ld) and the output tile (width `width`). */
#ifndef FBATCH_STENCIL_STAR_H
#define FBATCH_STENCIL_STAR_H

#define IN(i, j) in[((i) - istart + R) + (long long)ld * ((j) - jstart + R)]
#define OUT(i, j) out[((i) - istart) + (long long)width * ((j) - jstart)]

/* out += the star stencil of radius R applied to in, on [ilo,ihi] x [jlo,jhi]. */
static inline __attribute__((always_inline)) void star(const int R, double *restrict out,
                                                       const double *restrict in, const double *wx_,
                                                       const double *wy_, int ilo, int ihi, int jlo,
                                                       int jhi, int istart, int jstart, int ld,
                                                       int width) {
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

#endif
