package io.mlsm.spark;

import io.mlsm.core.data.EncodedCorpus;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark encoding job against {@link EncodedCorpus#build} of the same files (one of them yielding no sequence):
 * the same bytes, with and without a retried task; a failed job leaves no output and its rerun keeps the parts.
 */
class SparkEncodingTest {

    static SparkFixture fx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixture() throws IOException {
        fx = SparkFixture.get();
    }

    SparkEncoding.Builder job(Path out) {
        return SparkEncoding.builder().corpus(fx.corpus).tokenizer(fx.tokenizerFile).options(fx.options).output(out);
    }

    @Test
    void equalsTheSingleProcessEncodingByteForByte() throws IOException {
        Path out = tmp.resolve("spark" + EncodedCorpus.EXTENSION);
        SparkEncoding.Result r = job(out).build().run(SparkFixture.spark());
        assertEquals(4, r.files());
        assertEquals(0, EncodedCorpus.buildPart(io.mlsm.core.data.Corpus.lines(fx.textDir.resolve("part3.train")),
                fx.tokenizer, fx.options, tmp.resolve("empty" + EncodedCorpus.EXTENSION)).sequences(),
                "the fixture should have a file that yields no sequence");
        assertEquals(-1, Files.mismatch(fx.encoded, out), "Spark encoding differs from the single-process one");
        try (EncodedCorpus a = EncodedCorpus.open(fx.encoded); EncodedCorpus b = EncodedCorpus.open(out)) {
            assertEquals(a.header(), b.header());
            assertEquals(a.size(), r.sequences());
        }
        assertFalse(Files.exists(out.resolveSibling(out.getFileName() + ".parts")), "staging folder left behind");
    }

    @Test
    void aRetriedTaskGivesTheSameFile() throws IOException {
        Path out = tmp.resolve("retried" + EncodedCorpus.EXTENSION);
        job(out).faults(new TaskFaults(Set.of(1), Set.of())).build().run(SparkFixture.spark());
        assertEquals(-1, Files.mismatch(fx.encoded, out));
    }

    @Test
    void aFailedJobLeavesNoOutputAndTheRerunKeepsTheFinishedParts() throws IOException {
        Path out = tmp.resolve("killed" + EncodedCorpus.EXTENSION);
        assertThrows(SparkException.class,
                () -> job(out).faults(new TaskFaults(Set.of(), Set.of(2))).build().run(SparkFixture.spark()));
        assertFalse(Files.exists(out));
        int left = SparkFixture.filesEnding(out.resolveSibling(out.getFileName() + ".parts"),
                EncodedCorpus.EXTENSION).size();
        SparkEncoding.Result r = job(out).build().run(SparkFixture.spark());
        assertTrue(r.reused() >= left && r.reused() < r.files(), "reused " + r.reused() + " parts, " + left + " were there");
        assertEquals(-1, Files.mismatch(fx.encoded, out));
    }
}
