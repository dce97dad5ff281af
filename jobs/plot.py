"""Bar chart of fbatch/mpirun ratios as SVG (no plotting library needed).

Reads lines `kernel|ranks|fbatch|mpirun|ratio` on stdin, writes the SVG given as argv[1].
"""
import sys

rows = [l.strip().split("|") for l in sys.stdin if l.strip()]
w_bar, gap, h, top, left = 14, 10, 300, 30, 50
kernels = []
for k, n, _, _, r in rows:
    if k not in kernels:
        kernels.append(k)
ranks = sorted({int(n) for _, n, _, _, _ in rows})
colors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"]
max_r = max([float(r) for *_, r in rows] + [1.2])
group_w = len(ranks) * w_bar + gap
width = left + len(kernels) * group_w + 120
y = lambda v: top + h - v / max_r * h
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h + 90}" font-family="sans-serif" font-size="11">',
       f'<text x="{left}" y="18" font-size="13">fbatch / mpirun time ratio per kernel (lower is better)</text>',
       f'<line x1="{left}" y1="{y(1)}" x2="{width - 110}" y2="{y(1)}" stroke="#999" stroke-dasharray="4"/>',
       f'<text x="{left - 30}" y="{y(1) + 4}">1.0</text>',
       f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#333"/>']
for i, k in enumerate(kernels):
    x0 = left + i * group_w + gap
    for j, n in enumerate(ranks):
        r = [float(q) for kk, nn, _, _, q in rows if kk == k and int(nn) == n]
        if not r:
            continue
        x = x0 + j * w_bar
        out.append(f'<rect x="{x}" y="{y(r[0])}" width="{w_bar - 2}" height="{top + h - y(r[0])}" fill="{colors[j % 5]}"><title>{k} n={n}: {r[0]}</title></rect>')
    out.append(f'<text x="{x0}" y="{top + h + 15}" transform="rotate(30 {x0},{top + h + 15})">{k}</text>')
for j, n in enumerate(ranks):
    out.append(f'<rect x="{width - 100}" y="{top + j * 16}" width="10" height="10" fill="{colors[j % 5]}"/><text x="{width - 85}" y="{top + j * 16 + 9}">{n} ranks</text>')
out.append("</svg>")
open(sys.argv[1], "w").write("\n".join(out))
