package io.mlsm.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncodedCorpusTest {

    @TempDir
    Path dir;

    /** Writes a random corpus of {@code lines} lines of 1..maxWords words over {@code vocab} words. */
    static Path randomCorpus(Path file, int lines, int maxWords, int vocab, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int n = 1 + rng.nextInt(maxWords);
            for (int j = 0; j < n; j++) {
                sb.append(j == 0 ? "" : " ").append('w').append(rng.nextInt(vocab));
            }
            sb.append('\n');
        }
        return Files.writeString(file, sb.toString());
    }

    @Test
    void roundTripEqualsTheSequenceBuilderOutput() throws IOException {
        WordTokenizer tok = WordTokenizer.synthetic(300);
        Path a = randomCorpus(dir.resolve("a.train"), 400, 40, 300, 1);
        Path b = randomCorpus(dir.resolve("b.train"), 101, 10, 300, 2);
        Corpus corpus = Corpus.lines(a, b);
        SequenceOptions opts = new SequenceOptions(32, 5, true);
        List<int[]> expected = new ArrayList<>();
        SequenceBuilder.Report report = new SequenceBuilder(tok, opts).build(corpus, expected::add);
        try (EncodedCorpus enc = EncodedCorpus.build(corpus, tok, opts, dir.resolve("cache/enc" + EncodedCorpus.EXTENSION))) {
            assertEquals(expected.size(), enc.size());
            long tokens = 0;
            int longest = 0;
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), enc.get(i), "sequence " + i);
                assertEquals(expected.get(i).length, enc.length(i));
                tokens += expected.get(i).length;
                longest = Math.max(longest, expected.get(i).length);
            }
            EncodedCorpus.Header h = enc.header();
            assertEquals(tokens, enc.tokenCount());
            assertEquals(longest, enc.maxLength());
            assertEquals(2, h.tokenWidth());
            assertEquals(opts, h.options());
            assertEquals(corpus.identity().sha256(), h.corpusSha256());
            assertEquals(EncodedCorpus.tokenizerFingerprint(tok), h.tokenizerFingerprint());
            assertEquals(report.dropped(), h.droppedSequences());
            assertEquals(report.truncated(), h.truncatedSequences());
            assertEquals(501, h.linesRead());
            assertTrue(h.droppedSequences() > 0 && h.truncatedSequences() > 0, h.toString());
        }
        try (Stream<Path> files = Files.list(dir.resolve("cache"))) {
            assertEquals(List.of("enc" + EncodedCorpus.EXTENSION), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file left behind");
        }
    }

    @Test
    void partsEncodedFileByFileJoinIntoTheWholeBuildsBytes() throws IOException {
        WordTokenizer tok = WordTokenizer.synthetic(300);
        Path sub = java.nio.file.Files.createDirectories(dir.resolve("parts-src"));
        List<Path> files = List.of(randomCorpus(sub.resolve("a.train"), 61, 30, 300, 11),
                randomCorpus(sub.resolve("b.train"), 7, 30, 300, 12), randomCorpus(sub.resolve("c.train"), 40, 30, 300, 13));
        Corpus corpus = Corpus.lines(files);
        SequenceOptions opts = new SequenceOptions(24, 3, true, false);
        Path whole = dir.resolve("whole" + EncodedCorpus.EXTENSION);
        EncodedCorpus.build(corpus, tok, opts, whole, 2).close();
        List<EncodedCorpus> parts = new java.util.ArrayList<>();
        long[] sum = new long[5];
        for (int i = 0; i < files.size(); i++) {
            Path part = dir.resolve("part" + i + EncodedCorpus.EXTENSION);
            SequenceBuilder.Report r = EncodedCorpus.buildPart(Corpus.lines(files.get(i)), tok, opts, part);
            long[] v = {r.lines(), r.sequences(), r.dropped(), r.truncated(), r.tokens()};
            for (int j = 0; j < 5; j++) {
                sum[j] += v[j];
            }
            parts.add(EncodedCorpus.open(part));
        }
        SequenceBuilder.Report totals = new SequenceBuilder.Report(sum[0], sum[1], sum[2], sum[3], sum[4]);
        Path joined = dir.resolve("joined" + EncodedCorpus.EXTENSION);
        EncodedCorpus.concatenate(parts, corpus.identity().sha256(), totals, joined).close();
        assertEquals(-1, java.nio.file.Files.mismatch(whole, joined));
        SequenceBuilder.Report wrong = new SequenceBuilder.Report(sum[0], sum[1] + 1, sum[2], sum[3], sum[4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EncodedCorpus.concatenate(
                parts, corpus.identity().sha256(), wrong, dir.resolve("never" + EncodedCorpus.EXTENSION)));
        assertTrue(e.getMessage().contains(sum[1] + " sequences"), e.getMessage());
        Path other = dir.resolve("other" + EncodedCorpus.EXTENSION);
        EncodedCorpus.buildPart(Corpus.lines(files.get(1)), tok, new SequenceOptions(32, 3, true, false), other);
        List<EncodedCorpus> mixed = List.of(parts.get(0), EncodedCorpus.open(other));
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> EncodedCorpus.concatenate(
                mixed, corpus.identity().sha256(), totals, dir.resolve("never" + EncodedCorpus.EXTENSION)));
        assertTrue(m.getMessage().contains(other.toString()), m.getMessage());
        assertTrue(!java.nio.file.Files.exists(dir.resolve("never" + EncodedCorpus.EXTENSION)));
        parts.forEach(EncodedCorpus::close);
        mixed.get(1).close();
    }

    @Test
    void aBuildThatCannotBeCompletedLeavesTheTargetAndNoTemporaryFile() throws IOException {
        WordTokenizer tok = WordTokenizer.synthetic(300);
        Corpus corpus = Corpus.lines(randomCorpus(dir.resolve("a.train"), 50, 20, 300, 3));
        Path cache = Files.createDirectory(dir.resolve("cache"));
        // a non-empty directory: the encoded file cannot be renamed onto it
        Path blocked = Files.createDirectory(cache.resolve("blocked" + EncodedCorpus.EXTENSION));
        Files.writeString(blocked.resolve("keep.txt"), "kept");
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> EncodedCorpus.build(corpus, tok, new SequenceOptions(32, 1, false), blocked));
        assertTrue(e.getMessage().contains(blocked.toString()), e.getMessage());
        assertEquals("kept", Files.readString(blocked.resolve("keep.txt")));
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(List.of(blocked.getFileName().toString()), files.map(p -> p.getFileName().toString()).toList(),
                    "the temporary file must be removed");
        }
    }

    @Test
    void smallSegmentsAndWideIdsReadTheSame() throws IOException {
        // a vocabulary above 65536 ids needs 4-byte ids; 64-byte segments make sequences straddle segment borders
        WordTokenizer tok = WordTokenizer.synthetic(70_000);
        Path a = randomCorpus(dir.resolve("a.train"), 300, 20, 70_000, 3);
        Corpus corpus = Corpus.lines(a);
        SequenceOptions opts = new SequenceOptions(24, 1, true);
        List<int[]> expected = new ArrayList<>();
        new SequenceBuilder(tok, opts).build(corpus, expected::add);
        Path file = dir.resolve("wide" + EncodedCorpus.EXTENSION);
        EncodedCorpus.build(corpus, tok, opts, file).close();
        try (EncodedCorpus enc = EncodedCorpus.open(file, 64)) {
            assertEquals(4, enc.header().tokenWidth());
            assertEquals(expected.size(), enc.size());
            boolean sawLargeId = false;
            for (int i = 0; i < expected.size(); i++) {
                int[] got = enc.get(i);
                assertArrayEquals(expected.get(i), got, "sequence " + i);
                for (int id : got) {
                    sawLargeId |= id > 65535;
                }
            }
            assertTrue(sawLargeId);
        }
    }

    @Test
    void openOrBuildReusesAMatchingCacheAndRebuildsOnChange() throws IOException {
        WordTokenizer tok = WordTokenizer.synthetic(50);
        Path a = randomCorpus(dir.resolve("a.train"), 50, 8, 50, 4);
        Path cache = dir.resolve("cache");
        SequenceOptions opts = SequenceOptions.defaults();
        Path first;
        try (EncodedCorpus enc = EncodedCorpus.openOrBuild(Corpus.lines(a), tok, opts, cache)) {
            first = enc.file();
        }
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(first, old);
        try (EncodedCorpus enc = EncodedCorpus.openOrBuild(Corpus.lines(a), tok, opts, cache)) {
            assertEquals(first, enc.file());
            assertEquals(old, Files.getLastModifiedTime(first), "a matching cache is not rewritten");
        }
        try (EncodedCorpus enc = EncodedCorpus.openOrBuild(Corpus.lines(a), tok, opts.withMaxLength(16), cache)) {
            assertNotEquals(first, enc.file());
            assertEquals(16, enc.header().options().maxLength());
        }
        randomCorpus(a, 50, 8, 50, 5);
        try (EncodedCorpus enc = EncodedCorpus.openOrBuild(Corpus.lines(a), tok, opts, cache)) {
            assertNotEquals(first, enc.file(), "a changed corpus gets a new cache");
        }
        // a corrupt cache file is rebuilt
        Path current;
        try (EncodedCorpus enc = EncodedCorpus.openOrBuild(Corpus.lines(a), tok, opts, cache)) {
            current = enc.file();
        }
        Files.write(current, new byte[] {1, 2, 3}, StandardOpenOption.TRUNCATE_EXISTING);
        try (EncodedCorpus enc = EncodedCorpus.openOrBuild(Corpus.lines(a), tok, opts, cache)) {
            assertTrue(enc.size() > 0);
        }
    }

    @Test
    void corruptFilesAreRejectedWithTheirPath() throws IOException {
        WordTokenizer tok = WordTokenizer.synthetic(50);
        Path a = randomCorpus(dir.resolve("a.train"), 50, 8, 50, 6);
        Path file = dir.resolve("x" + EncodedCorpus.EXTENSION);
        EncodedCorpus.build(Corpus.lines(a), tok, SequenceOptions.defaults(), file).close();
        byte[] bytes = Files.readAllBytes(file);

        Path truncated = Files.write(dir.resolve("truncated.bin"), java.util.Arrays.copyOf(bytes, bytes.length - 8));
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> EncodedCorpus.open(truncated));
        assertTrue(e1.getMessage().contains("truncated") && e1.getMessage().contains("truncated.bin"), e1.getMessage());

        byte[] badMagic = bytes.clone();
        badMagic[0] = 'X';
        Path magic = Files.write(dir.resolve("magic.bin"), badMagic);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> EncodedCorpus.open(magic));
        assertTrue(e2.getMessage().contains("magic"), e2.getMessage());

        Path tiny = Files.write(dir.resolve("tiny.bin"), new byte[10]);
        assertThrows(IllegalArgumentException.class, () -> EncodedCorpus.open(tiny));
        assertThrows(IllegalArgumentException.class, () -> EncodedCorpus.open(dir.resolve("absent.bin")));
    }

    @Test
    void aCorpusWithoutAnyLongEnoughSequenceIsAnError() throws IOException {
        WordTokenizer tok = WordTokenizer.synthetic(50);
        Path a = Files.writeString(dir.resolve("a.train"), "w1\nw2\nw3\n");
        Path file = dir.resolve("none" + EncodedCorpus.EXTENSION);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncodedCorpus.build(Corpus.lines(a), tok, SequenceOptions.defaults(), file));
        assertTrue(e.getMessage().contains("no sequence"), e.getMessage());
        assertTrue(Files.notExists(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "temporary file removed");
        }
    }

    @Test
    void fingerprintDependsOnTheVocabulary() {
        assertEquals(EncodedCorpus.tokenizerFingerprint(WordTokenizer.synthetic(10)),
                EncodedCorpus.tokenizerFingerprint(WordTokenizer.synthetic(10)));
        assertNotEquals(EncodedCorpus.tokenizerFingerprint(WordTokenizer.synthetic(10)),
                EncodedCorpus.tokenizerFingerprint(WordTokenizer.synthetic(11)));
    }

    @Test
    void windowedEncodingsRecordTheirOptionAndAreCachedApart() throws IOException {
        WordTokenizer tok = WordTokenizer.synthetic(300);
        Path a = randomCorpus(dir.resolve("long.train"), 3, 400, 300, 7);     // three lines of up to 400 words
        Corpus corpus = Corpus.lines(a);
        SequenceOptions window = new SequenceOptions(32, 4, true, true);
        Path cache = dir.resolve("cache-w");
        int windows;
        try (EncodedCorpus enc = EncodedCorpus.openOrBuild(corpus, tok, window, cache)) {
            assertEquals(window, enc.header().options());
            windows = enc.size();
        }
        try (EncodedCorpus again = EncodedCorpus.openOrBuild(corpus, tok, window, cache)) {
            assertEquals(window, again.header().options(), "the window flag survives the header round trip");
            assertEquals(windows, again.size());
        }
        try (EncodedCorpus truncated = EncodedCorpus.openOrBuild(corpus, tok, window.withWindowLongLines(false),
                cache)) {
            assertTrue(truncated.size() < windows, truncated.size() + " vs " + windows);
        }
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(2, files.count(), "one cache file per option set");
        }
    }
}
