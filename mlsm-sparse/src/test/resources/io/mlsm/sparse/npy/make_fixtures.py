#!/usr/bin/python3
"""Writes the .npy fixtures of NpyMatrixFileTest with numpy itself (run from this folder: /usr/bin/python3
make_fixtures.py). The dictionary is [d=3, k=4], one unit-norm atom per column, values exact in float32 too."""
import numpy as np

D = np.array([[0.6, 0.0, 1.0, 0.5],
              [0.8, 0.6, 0.0, 0.5],
              [0.0, 0.8, 0.0, 0.5]], dtype=np.float64)   # columns: norms 1, 1, 1, sqrt(0.75)
D[:, 3] /= np.linalg.norm(D[:, 3])
np.save("dict_f8_c.npy", np.ascontiguousarray(D))
np.save("dict_f8_fortran.npy", np.asfortranarray(D))
np.save("dict_f4_c.npy", np.ascontiguousarray(D.astype(np.float32)))
np.save("dict_f4_fortran.npy", np.asfortranarray(D.astype(np.float32)))
with open("dict_f8_v2.npy", "wb") as f:
    np.lib.format.write_array(f, D, version=(2, 0))
# rejected: integers, big-endian floats, a 3-D and a 1-D array
np.save("bad_int.npy", np.arange(12, dtype=np.int64).reshape(3, 4))
np.save("bad_big_endian.npy", D.astype(">f8"))
np.save("bad_3d.npy", np.zeros((2, 3, 4)))
np.save("bad_1d.npy", np.zeros(4))
np.savetxt("dict.txt", D, fmt="%.17g")   # the values, for reading
