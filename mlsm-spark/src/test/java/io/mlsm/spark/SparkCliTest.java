package io.mlsm.spark;

import io.mlsm.core.train.ConceptTargetCache;
import io.mlsm.spark.cli.SparkCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mlsm spark-encode} and {@code spark-targets} end to end with their own in-process Spark ({@code --master
 * local[2]}): the files equal the single-process ones; a bad option is a usage error (exit 2).
 */
class SparkCliTest {

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = SparkCli.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void encodeThenTargetsFromTheCommandLine() throws IOException {
        SparkFixture fx = SparkFixture.get();
        SparkFixture.stopSpark(); // the commands start their own
        Path enc = tmp.resolve("corpus.mlsmseq");
        Run e = cli("spark-encode", "--corpus", fx.textDir.toString(), "--tokenizer", fx.tokenizerFile.toString(),
                "--max-length", "48", "--out", enc.toString(), "--master", "local[2]");
        assertEquals(0, e.exit(), e.err());
        assertTrue(e.out().contains("written: " + enc), e.out());
        assertEquals(-1, Files.mismatch(fx.encoded, enc));
        Path cache = tmp.resolve("concepts-top8" + ConceptTargetCache.EXTENSION);
        Run t = cli("spark-targets", "--corpus", enc.toString(), "--teacher", fx.teacherDir.toString(),
                "--dictionary", fx.dictionaryFile.toString(), "--top-n", "8", "--batch-size", "4",
                "--sequences-per-task", "16", "--out", cache.toString(), "--master", "local[2]");
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("tokens/s"), t.out());
        Path reference = fx.dir.resolve("reference" + ConceptTargetCache.EXTENSION);
        if (Files.exists(reference)) { // written by SparkTargetsTest with the same inputs
            assertEquals(-1, Files.mismatch(reference, cache));
        }
        Run bad = cli("spark-targets", "--corpus", enc.toString(), "--teacher", fx.teacherDir.toString(),
                "--dictionary", fx.dictionaryFile.toString(), "--top-n", "0", "--out", cache.toString());
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("topN must be >= 1, got 0"), bad.err());
    }
}
