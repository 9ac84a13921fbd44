package io.mlsm.sparse;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code .npy} reader and writer against files numpy wrote itself ({@code src/test/resources/io/mlsm/sparse/npy},
 * made by {@code make_fixtures.py} there): C and Fortran order, float64 and float32, format 1.0 and 2.0; bad headers
 * rejected with the file and the field named; our files read back by numpy when it is installed.
 */
class NpyMatrixFileTest {

    /** The fixture dictionary [3, 4], one unit-norm atom per column (as make_fixtures.py builds it). */
    static final double[][] D = {
            {0.6, 0.0, 1.0, 1 / Math.sqrt(3)},
            {0.8, 0.6, 0.0, 1 / Math.sqrt(3)},
            {0.0, 0.8, 0.0, 1 / Math.sqrt(3)}};

    static Path fixture(String name) {
        try {
            return Path.of(NpyMatrixFileTest.class.getResource("npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertMatrix(INDArray m, DataType type, double tol) {
        assertEquals(type, m.dataType());
        assertArrayEquals(new long[] {3, 4}, m.shape());
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                assertEquals(D[r][c], m.getDouble(r, c), tol, "(" + r + ", " + c + ")");
            }
        }
    }

    @Test
    void readsWhatNumpyWroteInCAndFortranOrderF8AndF4AndVersion2() throws IOException {
        for (String f : List.of("dict_f8_c.npy", "dict_f8_fortran.npy", "dict_f8_v2.npy")) {
            assertMatrix(NpyMatrixFile.read(fixture(f)), DataType.DOUBLE, 0.0);
            assertArrayEquals(new int[] {3, 4}, NpyMatrixFile.readShape(fixture(f)), f);
        }
        for (String f : List.of("dict_f4_c.npy", "dict_f4_fortran.npy")) {
            assertMatrix(NpyMatrixFile.read(fixture(f)), DataType.FLOAT, 1e-7);
        }
    }

    @Test
    void dictionaryImportsTheSpamsLayoutAtomsAsColumns() throws IOException {
        Dictionary d = Dictionary.readNpy(fixture("dict_f8_fortran.npy"));
        assertEquals(3, d.dimension());
        assertEquals(4, d.size());
        assertEquals(DataType.DOUBLE, d.dataType());
        assertMatrix(d.atoms(), DataType.DOUBLE, 0.0);
        assertEquals(Dictionary.NPY_DEFAULT_LAMBDA, d.provenance().lambda());
        assertEquals("npy", d.provenance().attributes().get("source"));
        assertEquals(64, d.provenance().attributes().get("npySha256").length());
        // by extension through load / readShape, as every dictionary path of the library reads it
        assertTrue(Dictionary.load(fixture("dict_f8_c.npy")).sameAtoms(d));
        assertEquals(new Dictionary.Shape(3, 4), Dictionary.readShape(fixture("dict_f4_c.npy")));
        assertEquals(0.1, Dictionary.readNpy(fixture("dict_f4_c.npy"), 0.1).provenance().lambda());
    }

    @Test
    void roundTripOursToNpyAndBack(@TempDir Path dir) throws IOException {
        for (DataType t : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            INDArray atoms = Dictionary.randomUnitAtoms(7, 5, 3L, t);          // [7, 5]
            Dictionary d = Dictionary.of(atoms, DictionaryProvenance.of(0.05, 5, 7, "planted"));
            Path f = dir.resolve("d-" + t + ".npy");
            d.writeNpy(f);
            assertEquals(0, (Files.size(f) - 7 * 5 * (t == DataType.DOUBLE ? 8 : 4)) % 64, "preamble is 64-aligned");
            Dictionary back = Dictionary.readNpy(f);
            assertTrue(back.sameAtoms(d), t.toString());
            // a non-contiguous view is written in C order
            INDArray view = Nd4j.create(DataType.DOUBLE, 4, 3).assign(Nd4j.linspace(1, 12, 12).reshape(3, 4)
                    .transpose());
            NpyMatrixFile.write(f, view.transpose());
            assertEquals(Nd4j.linspace(1, 12, 12).reshape(3, 4).castTo(DataType.DOUBLE), NpyMatrixFile.read(f));
        }
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void numpyReadsWhatWeWrite(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(python("import numpy", dir) == 0, "numpy is not installed for /usr/bin/python3");
        Dictionary d = Dictionary.readNpy(fixture("dict_f8_c.npy"));
        Path f = dir.resolve("ours.npy");
        d.writeNpy(f);
        Path f4 = dir.resolve("ours_f4.npy");
        NpyMatrixFile.write(f4, d.atoms(DataType.FLOAT));
        String check = "import numpy as np, sys; a = np.load('" + f + "'); b = np.load('" + f4 + "'); "
                + "r = np.load('" + fixture("dict_f8_c.npy") + "'); "
                + "sys.exit(0 if a.dtype == np.float64 and a.shape == (3, 4) and (a == r).all() "
                + "and b.dtype == np.float32 and np.allclose(b, r, atol=1e-7) else 1)";
        assertEquals(0, python(check, dir), "numpy.load of our files");
    }

    static int python(String code, Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return -1;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true)
                .redirectOutput(dir.resolve("python.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -2;
        }
        return p.exitValue();
    }

    @Test
    void rejectsWhatNumpyWroteButWeDoNotRead() {
        String[][] cases = {
                {"bad_int.npy", "'descr' is '<i8'"},
                {"bad_big_endian.npy", "'descr' is '>f8'"},
                {"bad_3d.npy", "'shape' is (2, 3, 4)"},
                {"bad_1d.npy", "'shape' is (4,)"}};
        for (String[] c : cases) {
            Path f = fixture(c[0]);
            var e = assertThrows(IllegalArgumentException.class, () -> NpyMatrixFile.read(f), c[0]);
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void rejectsBadHeaders() throws IOException {
        byte[] good = Files.readAllBytes(fixture("dict_f8_c.npy"));
        String header = new String(good, 10, good.length - 10 - 96, StandardCharsets.ISO_8859_1);
        String[][] cases = {
                {header.replace("False", "Maybe"), "unsupported header value"},
                {header.replace("'fortran_order': False", "'fortran_order': 'nop'"), "'fortran_order' is 'nop'"},
                {header.replace("'shape'", "'shapx'"), "'shapx' is not an .npy field"},
                {header.replace("'descr': '<f8', ", " ".repeat(16)), "no 'descr' field"},
                {header.replace("(3, 4)", "(3, x)"), "expected an integer"},
                {header.replace("(3, 4)", "(0, 4)"), "both sizes must be >= 1"},
                {header.replace("{", " "), "expected '{'"},
                {header.replace("(3, 4)", "(3, 5)"), "data has 96 bytes"}};
        for (String[] c : cases) {
            byte[] bad = good.clone();
            byte[] h = c[0].getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(header.length(), h.length, c[1]);
            System.arraycopy(h, 0, bad, 10, h.length);
            var e = assertThrows(IllegalArgumentException.class, () -> NpyMatrixFile.parse(bad, "x.npy"), c[1]);
            assertTrue(e.getMessage().startsWith("x.npy: ") && e.getMessage().contains(c[1]), e.getMessage());
        }
        byte[] v3 = good.clone();
        v3[6] = 3;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NpyMatrixFile.parse(v3, "x.npy"))
                .getMessage().contains("version 3.0"));
        byte[] magic = good.clone();
        magic[1] = 'X';
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NpyMatrixFile.parse(magic, "x.npy"))
                .getMessage().contains("bad magic"));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 8);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NpyMatrixFile.parse(truncated, "x.npy"))
                .getMessage().contains("data has 88 bytes"));
        assertThrows(IllegalArgumentException.class, () -> NpyMatrixFile.toBytes(Nd4j.zeros(DataType.INT32, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> NpyMatrixFile.toBytes(Nd4j.zeros(DataType.DOUBLE, 2)));
    }

    @Test
    void rejectsAnAtomOutsideTheUnitBallNamingTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("big.npy");
        NpyMatrixFile.write(f, Nd4j.createFromArray(new double[][] {{2.0, 0.0}, {0.0, 1.0}}));
        var e = assertThrows(IllegalArgumentException.class, () -> Dictionary.readNpy(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("atom 0"), e.getMessage());
    }
}
