package io.mlsm.examples.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --corpus DIR}: a directory of {@code *.train} / {@code *.txt} files; without it, the bundled corpus.
 *
 * <pre>{@code
 * @Mixin CorpusOption corpus;
 * Path dir = corpus.dirOrNull();   // null = the bundled corpus
 * }</pre>
 */
final class CorpusOption {

    @Option(names = "--corpus", paramLabel = "DIR",
            description = "directory of *.train / *.txt files (default: the bundled corpus)")
    Path dir;

    /** @return the corpus directory, or {@code null} for the bundled corpus */
    Path dirOrNull() {
        return dir;
    }
}
