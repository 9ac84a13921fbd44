package io.mlsm.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceBuilderTest {

    // ids: [CLS]=0 [SEP]=1 <unk>=2 <pad>=3 [MASK]=4, w0=5, w1=6, ...
    private final WordTokenizer tok = WordTokenizer.synthetic(100);

    @TempDir
    Path dir;

    private static int w(int i) {
        return 5 + i;
    }

    private List<int[]> build(SequenceOptions opts, Path... files) {
        List<int[]> out = new ArrayList<>();
        new SequenceBuilder(tok, opts).build(Corpus.lines(files), out::add);
        return out;
    }

    @Test
    void pairsOfConsecutiveNonBlankLinesWithinAFile() throws IOException {
        Path a = Files.writeString(dir.resolve("a.train"), "w0 w1\n\nw2 w3\nw4 w5\nw6 w7\nw8 w9\n");
        Path b = Files.writeString(dir.resolve("b.train"), "w10 w11\nw12 w13\n");
        List<int[]> seqs = build(new SequenceOptions(128, 1, true), a, b);
        assertEquals(4, seqs.size());
        assertArrayEquals(new int[] {0, w(0), w(1), 1, w(2), w(3), 1}, seqs.get(0));
        assertArrayEquals(new int[] {0, w(4), w(5), 1, w(6), w(7), 1}, seqs.get(1));
        // the file's last, unpaired line stands alone; pairs never span files
        assertArrayEquals(new int[] {0, w(8), w(9), 1}, seqs.get(2));
        assertArrayEquals(new int[] {0, w(10), w(11), 1, w(12), w(13), 1}, seqs.get(3));
    }

    @Test
    void singleLineMode() throws IOException {
        Path a = Files.writeString(dir.resolve("a.train"), "w0 w1\nw2\n");
        List<int[]> seqs = build(new SequenceOptions(128, 1, false), a);
        assertEquals(2, seqs.size());
        assertArrayEquals(new int[] {0, w(0), w(1), 1}, seqs.get(0));
        assertArrayEquals(new int[] {0, w(2), 1}, seqs.get(1));
    }

    @Test
    void tooShortPairsAreDroppedAndCounted() throws IOException {
        Path a = Files.writeString(dir.resolve("a.train"), "w0\nw1\nw2 w3\nw4 w5\nw6\n");
        List<int[]> out = new ArrayList<>();
        SequenceBuilder.Report r = new SequenceBuilder(tok, new SequenceOptions(128, 3, true))
                .build(Corpus.lines(a), out::add);
        // (w0,w1): 2 content ids < 3 -> dropped; (w2 w3, w4 w5): kept; (w6) alone: dropped
        assertEquals(1, out.size());
        assertArrayEquals(new int[] {0, w(2), w(3), 1, w(4), w(5), 1}, out.get(0));
        assertEquals(new SequenceBuilder.Report(5, 1, 2, 0, 7), r);
        assertNull(new SequenceBuilder(tok, new SequenceOptions(128, 3, true)).encode("w0", "w1"));
    }

    @Test
    void longPairsAreTruncatedLongestFirstToMaxLength() throws IOException {
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            a.append("w").append(i).append(' ');
        }
        Path f = Files.writeString(dir.resolve("a.train"), a + "\nw50 w51 w52\n");
        List<int[]> out = new ArrayList<>();
        SequenceBuilder.Report r = new SequenceBuilder(tok, new SequenceOptions(10, 1, true))
                .build(Corpus.lines(f), out::add);
        // 10 ids for 13 content + 3 specials: A keeps 4, B keeps 3
        assertArrayEquals(new int[] {0, w(0), w(1), w(2), w(3), 1, w(50), w(51), w(52), 1}, out.get(0));
        assertEquals(1, r.truncated());
        assertEquals(10, r.tokens());
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new SequenceOptions(2, 1, true));
        assertThrows(IllegalArgumentException.class, () -> new SequenceOptions(1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new SequenceOptions(128, 0, true));
        assertEquals(new SequenceOptions(128, 4, true), SequenceOptions.defaults());
    }

    @Test
    void parallelEncodingGivesTheSequentialResultInOrder() throws IOException {
        Path a = EncodedCorpusTest.randomCorpus(dir.resolve("a.train"), 9001, 12, 100, 3);
        Path b = EncodedCorpusTest.randomCorpus(dir.resolve("b.train"), 777, 12, 100, 4);
        SequenceBuilder builder = new SequenceBuilder(tok, new SequenceOptions(16, 4, true));
        List<int[]> sequential = new ArrayList<>();
        List<int[]> parallel = new ArrayList<>();
        SequenceBuilder.Report r1 = builder.build(Corpus.lines(a, b), sequential::add);
        SequenceBuilder.Report r3 = builder.build(Corpus.lines(a, b), parallel::add, 3);
        assertEquals(r1, r3);
        assertEquals(sequential.size(), parallel.size());
        for (int i = 0; i < sequential.size(); i++) {
            assertArrayEquals(sequential.get(i), parallel.get(i), "sequence " + i);
        }
        assertEquals(9001 / 2 + 1 + 777 / 2 + 1, r1.sequences() + r1.dropped());
        assertThrows(IllegalArgumentException.class, () -> builder.build(Corpus.lines(a), x -> { }, 0));
    }

    @Test
    void longLinesAreCutIntoWindowsThatKeepAllTheirText() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 95; i++) {
            line.append("w").append(i % 90).append(' ');
        }
        // one 95-word line, then a short pair that fits
        Path a = Files.writeString(dir.resolve("a.train"), line + "\nw0 w1\nw2 w3\n");
        List<int[]> truncated = build(new SequenceOptions(12, 1, true), a);
        List<int[]> windows = build(new SequenceOptions(12, 2, true, true), a);
        assertEquals(2, truncated.size(), "truncation keeps one sequence per pair");
        // 10 content ids per window: 95 ids -> 9 full windows + one of 5; its partner line "w0 w1" becomes its own
        // sequence, and the file's last line "w2 w3" stands alone as before
        assertEquals(10 + 2, windows.size());
        List<Integer> content = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            int[] s = windows.get(k);
            assertEquals(0, s[0]);
            assertEquals(1, s[s.length - 1]);
            assertEquals(k < 9 ? 12 : 7, s.length);
            for (int j = 1; j < s.length - 1; j++) {
                content.add(s[j]);
            }
        }
        for (int i = 0; i < 95; i++) {
            assertEquals(w(i % 90), content.get(i), "window content in order at " + i);
        }
        assertArrayEquals(new int[] {0, w(0), w(1), 1}, windows.get(10));
        assertArrayEquals(new int[] {0, w(2), w(3), 1}, windows.get(11));
        List<int[]> strict = build(new SequenceOptions(12, 3, true, true), a);
        assertEquals(10, strict.size(), "windows and lines under minContentTokens are dropped");
    }
}
