package io.mlsm.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {

    @TempDir
    Path dir;

    @Test
    void missingFileIsRejectedWithItsPath() {
        Path missing = dir.resolve("nope.train");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Corpus.lines(missing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("nope.train"), e.getMessage());
    }

    @Test
    void emptyAndBlankFilesAreRejectedWithTheirPath() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.train"));
        Path blank = Files.writeString(dir.resolve("blank.train"), "\n  \n\t\r\n");
        Path good = Files.writeString(dir.resolve("good.train"), "a line\n");
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> Corpus.lines(good, empty));
        assertTrue(e1.getMessage().contains("empty") && e1.getMessage().contains("empty.train"), e1.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> Corpus.lines(blank));
        assertTrue(e2.getMessage().contains("blank") && e2.getMessage().contains("blank.train"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Corpus.lines(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Corpus.lines(dir));
    }

    @Test
    void directoryPicksTrainAndTxtFilesSortedByName() throws IOException {
        Files.writeString(dir.resolve("b.train"), "b\n");
        Files.writeString(dir.resolve("a.txt"), "a\n");
        Files.writeString(dir.resolve("c.dev"), "c\n");
        Files.createDirectory(dir.resolve("d.train"));
        Corpus c = Corpus.directory(dir);
        assertEquals(List.of("a.txt", "b.train"), c.files().stream().map(p -> p.getFileName().toString()).toList());
        Corpus dev = Corpus.directory(dir, "*.dev");
        assertEquals(1, dev.files().size());
    }

    @Test
    void directoryErrorsNameTheDirectory() throws IOException {
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                () -> Corpus.directory(dir.resolve("absent")));
        assertTrue(e1.getMessage().contains("absent"), e1.getMessage());
        Files.writeString(dir.resolve("x.csv"), "x\n");
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> Corpus.directory(dir));
        assertTrue(e2.getMessage().contains("no corpus files") && e2.getMessage().contains(dir.toString()),
                e2.getMessage());
    }

    @Test
    void linesAreStreamedInOrderWithFileAndLineNumbers() throws IOException {
        Path a = Files.writeString(dir.resolve("a.train"), "\uFEFFfirst\r\nsecond\n\nfourth");
        Path b = Files.writeString(dir.resolve("b.train"), "x\n");
        List<String> seen = new ArrayList<>();
        Corpus.lines(a, b).forEachLine((f, n, line) -> seen.add(f + ":" + n + ":" + line));
        assertEquals(List.of("0:1:first", "0:2:second", "0:3:", "0:4:fourth", "1:1:x"), seen);
        try (java.util.stream.Stream<String> lines = Corpus.lines(a, b).streamLines()) {
            assertEquals(List.of("first", "second", "", "fourth", "x"), lines.toList());
        }
        List<String> iterated = new ArrayList<>();
        Corpus.lines(a, b).forEach(iterated::add);
        assertEquals(List.of("first", "second", "", "fourth", "x"), iterated);
    }

    @Test
    void invalidUtf8NamesFileAndLine() throws IOException {
        Path bad = Files.write(dir.resolve("bad.train"), new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Corpus.lines(bad).forEachLine((f, n, l) -> { }));
        assertTrue(e.getMessage().contains("bad.train") && e.getMessage().contains("UTF-8"), e.getMessage());
        assertTrue(e.getMessage().contains("line 2, byte 3"), e.getMessage());
        UncheckedIOException e2 = assertThrows(UncheckedIOException.class, () -> Corpus.lines(bad).forEach(l -> { }));
        assertTrue(e2.getMessage().contains("bad.train") && e2.getMessage().contains("line 2, byte 3"), e2.getMessage());
    }

    @Test
    void identityHasSha256OfBytesAndChangesWithContent() throws IOException {
        Path f = Files.writeString(dir.resolve("hello.train"), "hello\n", StandardCharsets.UTF_8);
        CorpusIdentity id = Corpus.lines(f).identity();
        assertEquals(1, id.files().size());
        assertEquals("hello.train", id.files().get(0).name());
        assertEquals(6, id.files().get(0).bytes());
        // sha256sum of "hello\n"
        assertEquals("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", id.files().get(0).sha256());
        assertEquals(64, id.sha256().length());
        Files.writeString(f, "hellp\n");
        CorpusIdentity changed = Corpus.lines(f).identity();
        assertNotEquals(id.sha256(), changed.sha256());
        assertEquals(id.sha256(), Corpus.lines(Files.writeString(f, "hello\n")).identity().sha256());
    }

    @Test
    void bundledResourcesAreCopiedOutAndOpened() throws IOException {
        ClassLoader cl = getClass().getClassLoader();
        Corpus c = Corpus.fromResources(cl, "io/mlsm/core/data/minicorpus", ".train", dir.resolve("out"));
        assertEquals(List.of("b.train", "a.train"), c.files().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals("w1 w2\nw3 w4\n", Files.readString(dir.resolve("out/b.train")));
        try (var listed = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("a.train", "b.train"), listed.map(p -> p.getFileName().toString()).sorted().toList(),
                    "each file is written atomically and no temporary file is left");
        }
        List<String> lines = new ArrayList<>();
        c.forEachLine((f, n, l) -> lines.add(l));
        assertEquals(List.of("w1 w2", "w3 w4", "w5 w6 w7"), lines);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Corpus.fromResources(cl, "io/mlsm/core/data/absent", ".train", dir.resolve("x")));
        assertTrue(missing.getMessage().contains("absent/files.txt"), missing.getMessage());
        IllegalArgumentException listedMissing = assertThrows(IllegalArgumentException.class,
                () -> Corpus.fromResources(cl, "io/mlsm/core/data/minicorpus", ".valid", dir.resolve("y")));
        assertTrue(listedMissing.getMessage().contains("gone.valid"), listedMissing.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Corpus.fromResources(cl, "io/mlsm/core/data/minicorpus", ".dev", dir.resolve("z")));
    }
}
