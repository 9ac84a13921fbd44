package io.mlsm.examples;

import io.mlsm.core.data.Corpus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The data shipped inside the examples jar: the quick-start corpus (five public-domain books, see
 * {@code corpus/README.md}) and a BLiMP subset (the first 20 pairs of each of the 67 filtered paradigms, CC BY 4.0, see
 * {@code blimp/README.md}). Both are copied out of the class path into a directory, because the readers work on files.
 *
 * <pre>{@code
 * Corpus corpus = BundledData.corpus(runDir.resolve("data/corpus"));
 * Path blimpDir = BundledData.blimp(runDir.resolve("data/blimp"));
 * List<MinimalPair> pairs = BlimpReader.readBlimp(blimpDir, EvalLimit.all());
 * }</pre>
 */
public final class BundledData {

    /** Class-path directory of the corpus. */
    public static final String CORPUS_RESOURCES = "corpus";
    /** Class-path directory of the BLiMP subset. */
    public static final String BLIMP_RESOURCES = "blimp";
    /** Pairs per paradigm in the bundled BLiMP subset. */
    public static final int BLIMP_PAIRS_PER_PARADIGM = 20;

    private BundledData() {
    }

    /**
     * Copies the training part ({@code *.train}) of the bundled corpus to {@code dir} and opens it.
     *
     * @param dir target directory (created)
     * @return the corpus
     */
    public static Corpus corpus(Path dir) {
        return Corpus.fromResources(loader(), CORPUS_RESOURCES, ".train", dir);
    }

    /**
     * Copies the held-out part ({@code *.valid}) of the bundled corpus to {@code dir} and opens it.
     *
     * @param dir target directory (created)
     * @return the corpus
     */
    public static Corpus validationCorpus(Path dir) {
        return Corpus.fromResources(loader(), CORPUS_RESOURCES, ".valid", dir);
    }

    /**
     * Copies the bundled BLiMP subset ({@code <paradigm>.jsonl} files) to {@code dir}.
     *
     * @param dir target directory (created)
     * @return {@code dir}, ready for {@code BlimpReader.readBlimp}
     * @throws UncheckedIOException when a resource cannot be copied
     */
    public static Path blimp(Path dir) {
        return copyListed(BLIMP_RESOURCES, ".jsonl", dir);
    }

    private static ClassLoader loader() {
        return BundledData.class.getClassLoader();
    }

    private static Path copyListed(String resourceDir, String suffix, Path dir) {
        String base = resourceDir + "/";
        List<String> names = new ArrayList<>();
        try (InputStream index = loader().getResourceAsStream(base + Corpus.RESOURCE_INDEX)) {
            if (index == null) {
                throw new IllegalStateException("class-path resource not found: " + base + Corpus.RESOURCE_INDEX);
            }
            for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                String name = line.strip();
                if (name.endsWith(suffix)) {
                    names.add(name);
                }
            }
            Files.createDirectories(dir);
            for (String name : names) {
                try (InputStream in = loader().getResourceAsStream(base + name)) {
                    if (in == null) {
                        throw new IllegalStateException("class-path resource not found: " + base + name
                                + " (listed in " + base + Corpus.RESOURCE_INDEX + ")");
                    }
                    Path tmp = Files.createTempFile(dir, ".tmp-" + name, "");
                    try {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        try {
                            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                                    StandardCopyOption.REPLACE_EXISTING);
                        } catch (AtomicMoveNotSupportedException e) {
                            throw new IOException("cannot write " + dir.resolve(name) + ": the file system cannot "
                                    + "rename " + tmp.getFileName() + " onto it atomically (" + e.getMessage()
                                    + "); refusing a non-atomic write", e);
                        }
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the bundled resources " + base + " to " + dir, e);
        }
        return dir;
    }
}
