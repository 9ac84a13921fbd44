package io.mlsm.examples;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.tokenizer.UnigramTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Trains a Unigram LM tokenizer (Kudo 2018) on a corpus and saves it as a Hugging Face {@code tokenizer.json}.
 *
 * <pre>{@code
 * var r = TrainTokenizerExample.run(new TrainTokenizerExample.Options(null, 6000, 0, Path.of("runs/tok")));
 * UnigramTokenizer tok = UnigramTokenizer.load(r.tokenizerFile());
 * }</pre>
 * Command line: {@code mlsm train-tokenizer --vocab 6000 --out runs/tok}.
 */
public final class TrainTokenizerExample {

    private static final Logger LOG = LoggerFactory.getLogger(TrainTokenizerExample.class);

    /** A sentence encoded after training, to show the pieces. */
    public static final String SAMPLE = "Alice was beginning to get very tired of sitting by her sister on the bank.";

    private TrainTokenizerExample() {
    }

    /**
     * @param corpusDir a directory of {@code *.train} / {@code *.txt} files, or {@code null} for the bundled corpus
     * @param vocabSize pieces, the 5 special tokens included, {@code > 5}
     * @param maxLines  train on a seeded sample of this many lines ({@code 0} = all)
     * @param outputDir where {@code tokenizer.json} goes
     */
    public record Options(Path corpusDir, int vocabSize, int maxLines, Path outputDir) {
        public Options {
            if (vocabSize <= UnigramTokenizer.SPECIAL_PIECES.size()) {
                throw new IllegalArgumentException("vocabSize must exceed the " + UnigramTokenizer.SPECIAL_PIECES.size()
                        + " special tokens, got " + vocabSize);
            }
            if (maxLines < 0) {
                throw new IllegalArgumentException("maxLines must be >= 0 (0 = all lines), got " + maxLines);
            }
            if (outputDir == null) {
                throw new IllegalArgumentException("outputDir is required");
            }
            if (corpusDir != null && !Files.isDirectory(corpusDir)) {
                throw new IllegalArgumentException("corpus directory does not exist: " + corpusDir.toAbsolutePath());
            }
        }
    }

    /**
     * @param tokenizerFile the saved {@code tokenizer.json}
     * @param vocabSize     its vocabulary size
     * @param samplePieces  the pieces of {@link #SAMPLE}
     * @param sampleDecoded {@link #SAMPLE} encoded and decoded again by the tokenizer loaded back from the file
     */
    public record Result(Path tokenizerFile, int vocabSize, List<String> samplePieces, String sampleDecoded) {
        public Result {
            samplePieces = List.copyOf(samplePieces);
        }
    }

    /**
     * Trains, saves, loads the file back and encodes {@link #SAMPLE} with the loaded tokenizer.
     *
     * @throws UncheckedIOException when the corpus cannot be read or the file cannot be written
     */
    public static Result run(Options o) {
        try {
            Corpus corpus = o.corpusDir() == null ? BundledData.corpus(o.outputDir().resolve("corpus"))
                    : Corpus.directory(o.corpusDir());
            UnigramTrainer.Options opts = UnigramTrainer.Options.of(o.vocabSize());
            if (o.maxLines() > 0) {
                opts = opts.withMaxLines(o.maxLines(), 42L);
            }
            LOG.info("training a Unigram tokenizer of {} pieces on {}", o.vocabSize(), corpus);
            UnigramTokenizer trained = UnigramTokenizer.train(corpus, opts);
            Files.createDirectories(o.outputDir());
            Path file = o.outputDir().resolve("tokenizer.json");
            trained.save(file);
            UnigramTokenizer loaded = UnigramTokenizer.load(file);
            int[] ids = loaded.encode(SAMPLE);
            List<String> pieces = Arrays.stream(ids).mapToObj(loaded::idToPiece).toList();
            LOG.info("saved {} ({} pieces); sample: {}", file, loaded.vocabSize(), String.join(" ", pieces));
            return new Result(file, loaded.vocabSize(), pieces, loaded.decode(ids));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
