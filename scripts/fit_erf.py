#!/usr/bin/env python3
# Fits the float32 erf approximation of mlsm-models FloatKernels: erf(x) ~ x P(x^2) / Q(x^2) on [0, 4], P of 7 and
# Q of 5 coefficients (Q0 = 1), by iteratively reweighted least squares with Lawson weights towards the minimax
# error, scipy.special.erf as the reference. Prints the coefficients and the error of the float32 evaluation.
# Needs numpy and scipy (apt-get install python3-scipy).
import numpy as np
from scipy.special import erf
x = np.concatenate([np.linspace(0, 4, 20001)])
y = erf(x)
P, Q = 7, 5           # P: coefficients of x^0..x^12 (times x), Q: x^0..x^8 with Q0 = 1
u = x * x
w = np.ones_like(x)
qprev = np.ones_like(x)
best = None
for it in range(60):
    A = np.hstack([np.stack([x * u**k for k in range(P)], 1), np.stack([-y * u**k for k in range(1, Q)], 1)])
    b = y.copy()
    sw = np.sqrt(w) / qprev
    sol, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
    p = sol[:P]; q = np.concatenate([[1.0], sol[P:]])
    qv = sum(q[k] * u**k for k in range(Q)); pv = x * sum(p[k] * u**k for k in range(P))
    err = pv / qv - y
    m = np.abs(err).max()
    if best is None or m < best[0]:
        best = (m, p.copy(), q.copy())
    qprev = qv
    w = w * (np.abs(err) / m + 1e-3)   # Lawson
    w /= w.sum()
print("max abs err (float64)", best[0])
m, p, q = best
def ev32(xs):
    xs = np.clip(xs.astype(np.float32), np.float32(-4), np.float32(4)); u = xs * xs
    pp = np.float32(p[P-1])
    for k in range(P-2, -1, -1): pp = pp * u + np.float32(p[k])
    qq = np.float32(q[Q-1])
    for k in range(Q-2, -1, -1): qq = qq * u + np.float32(q[k])
    return xs * pp / qq
xt = np.linspace(-6, 6, 400001)
e32 = np.abs(ev32(xt).astype(np.float64) - erf(xt))
print("max abs err (float32 eval)", e32.max(), "at", xt[e32.argmax()])
print("P", ", ".join("%.17gf" % c for c in p))
print("Q", ", ".join("%.17gf" % c for c in q))
