package io.mlsm.spark;

import io.mlsm.core.data.Corpus;
import io.mlsm.core.data.CorpusIdentity;
import io.mlsm.core.data.EncodedCorpus;
import io.mlsm.core.data.SequenceBuilder;
import io.mlsm.core.data.SequenceOptions;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.runtime.AtomicFiles;
import io.mlsm.runtime.RunDirectoryLock;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A text corpus encoded on a Spark cluster: one task per file tokenises it into a part (line pairs never span two
 * files, so each file's sequences do not depend on the others), and the driver joins the parts, in corpus order, into
 * one {@link EncodedCorpus} file equal byte for byte to {@link EncodedCorpus#build} of the same corpus. Parts already
 * written by an interrupted run, for the same file, tokenizer and options, are kept; the output appears in one atomic
 * rename once every part is there. One file is one task: split very large files beforehand so the work spreads.
 *
 * <pre>{@code
 * try (JavaSparkContext sc = SparkJobs.context("encode", null)) {
 *     SparkEncoding.Result r = SparkEncoding.builder().corpus(Corpus.directory(textDir))
 *             .tokenizer(tokDir.resolve("tokenizer.json")).options(SequenceOptions.defaults())
 *             .output(out.resolve("corpus.mlsmseq")).build().run(sc);
 * }
 * }</pre>
 */
public final class SparkEncoding {

    private static final Logger LOG = LoggerFactory.getLogger(SparkEncoding.class);

    private final Corpus corpus;
    private final Path tokenizer;
    private final SequenceOptions options;
    private final Path output;
    private final Path staging;
    private final TaskFaults faults;

    private SparkEncoding(Builder b) {
        if (b.corpus == null || b.tokenizer == null || b.output == null) {
            throw new IllegalArgumentException("SparkEncoding needs corpus(...), tokenizer(...) and output(...)");
        }
        this.corpus = b.corpus;
        this.tokenizer = b.tokenizer.toAbsolutePath().normalize();
        this.options = b.options;
        this.output = b.output.toAbsolutePath().normalize();
        this.staging = b.staging != null ? b.staging.toAbsolutePath().normalize()
                : output.resolveSibling(output.getFileName() + ".parts");
        this.faults = b.faults;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What a run did.
     *
     * @param file      the encoded corpus
     * @param files     text files (tasks)
     * @param reused    parts kept from an earlier, interrupted run
     * @param sequences sequences written
     * @param tokens    ids written
     * @param seconds   wall time
     */
    public record Result(Path file, int files, int reused, long sequences, long tokens, double seconds) {
    }

    /** Fluent configuration; options default to {@link SequenceOptions#defaults()}. */
    public static final class Builder {
        private Corpus corpus;
        private Path tokenizer;
        private SequenceOptions options = SequenceOptions.defaults();
        private Path output;
        private Path staging;
        private TaskFaults faults = TaskFaults.NONE;

        private Builder() {
        }

        /** @param c the text corpus (its files, in order) @return this */
        public Builder corpus(Corpus c) {
            this.corpus = Objects.requireNonNull(c, "corpus");
            return this;
        }

        /** @param file the tokenizer.json every executor can read @return this */
        public Builder tokenizer(Path file) {
            this.tokenizer = Objects.requireNonNull(file, "tokenizer");
            return this;
        }

        /** @param o how lines become sequences @return this */
        public Builder options(SequenceOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** @param file the encoded corpus to write ({@code .mlsmseq}) @return this */
        public Builder output(Path file) {
            this.output = Objects.requireNonNull(file, "output");
            return this;
        }

        /** @param dir where parts wait until the join (default: {@code <output>.parts}) @return this */
        public Builder stagingDir(Path dir) {
            this.staging = Objects.requireNonNull(dir, "stagingDir");
            return this;
        }

        Builder faults(TaskFaults f) {
            this.faults = Objects.requireNonNull(f, "faults");
            return this;
        }

        /** @return the job */
        public SparkEncoding build() {
            return new SparkEncoding(this);
        }
    }

    /** One task: one text file into one part. */
    record Task(int index, String file, String tokenizer, SequenceOptions options, String part, TaskFaults faults)
            implements Serializable {
    }

    /**
     * Encodes every file on the cluster and joins the parts.
     *
     * @return what was done
     * @throws IOException              when a file cannot be read or the output cannot be written
     * @throws IllegalArgumentException when the corpus yields no sequence
     */
    public Result run(JavaSparkContext sc) throws IOException {
        long t0 = System.nanoTime();
        Tokenizer tok = UnigramTokenizer.load(tokenizer);
        String tokFp = EncodedCorpus.tokenizerFingerprint(tok);
        List<Path> files = corpus.files();
        Files.createDirectories(staging);
        Result r;
        try (RunDirectoryLock lock = RunDirectoryLock.acquire(staging, "spark-encode " + output)) {
            AtomicFiles.removeStaleTemporaries(staging);
            r = runLocked(sc, t0, tok, tokFp, files);
        }
        List<Path> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            parts.add(part(i));
        }
        SparkJobs.removeStaging(staging, parts);
        return r;
    }

    private Path part(int i) {
        return staging.resolve(String.format(Locale.ROOT, "part-%05d", i) + EncodedCorpus.EXTENSION);
    }

    private Result runLocked(JavaSparkContext sc, long t0, Tokenizer tok, String tokFp, List<Path> files)
            throws IOException {
        List<Path> parts = new ArrayList<>();
        List<Task> pending = new ArrayList<>();
        SequenceBuilder.Report[] reports = new SequenceBuilder.Report[files.size()];
        for (int i = 0; i < files.size(); i++) {
            Path part = part(i);
            parts.add(part);
            reports[i] = reusable(part, files.get(i), corpus.identity().files().get(i), tokFp, tok.vocabSize());
            if (reports[i] == null) {
                pending.add(new Task(i, files.get(i).toAbsolutePath().toString(), tokenizer.toString(), options,
                        part.toString(), faults));
            }
        }
        int reused = files.size() - pending.size();
        LOG.info("spark-encode: {} files, {} to encode, {} kept from an earlier run", files.size(), pending.size(),
                reused);
        List<SequenceBuilder.Report> done = SparkJobs.eachOnce(sc, pending, SparkEncoding::runTask,
                "mlsm encode: " + pending.size() + " files");
        for (int j = 0; j < pending.size(); j++) {
            reports[pending.get(j).index()] = done.get(j);
        }
        long lines = 0;
        long sequences = 0;
        long dropped = 0;
        long truncated = 0;
        long tokens = 0;
        List<EncodedCorpus> opened = new ArrayList<>();
        try {
            for (int i = 0; i < files.size(); i++) {
                SequenceBuilder.Report r = reports[i];
                lines += r.lines();
                sequences += r.sequences();
                dropped += r.dropped();
                truncated += r.truncated();
                tokens += r.tokens();
                if (r.sequences() > 0) {
                    opened.add(EncodedCorpus.open(parts.get(i)));
                }
            }
            SequenceBuilder.Report totals = new SequenceBuilder.Report(lines, sequences, dropped, truncated, tokens);
            if (opened.isEmpty()) {
                throw new IllegalArgumentException("corpus " + files + " yields no sequence with at least "
                        + options.minContentTokens() + " content tokens (" + lines + " lines read)");
            }
            EncodedCorpus.concatenate(opened, corpus.identity().sha256(), totals, output).close();
        } finally {
            opened.forEach(EncodedCorpus::close);
        }
        Result r = new Result(output, files.size(), reused, sequences, tokens, (System.nanoTime() - t0) / 1e9);
        LOG.info("spark-encode: {} written: {} sequences, {} ids from {} files in {} s", output, sequences, tokens,
                files.size(), String.format(Locale.ROOT, "%.1f", r.seconds()));
        return r;
    }

    /** @return the counts of a part left by an earlier run for the same file, tokenizer and options, else null */
    private SequenceBuilder.Report reusable(Path part, Path file, CorpusIdentity.FileIdentity id, String tokFp,
                                            int vocab) {
        if (!Files.isRegularFile(part)) {
            return null;
        }
        try (EncodedCorpus p = EncodedCorpus.open(part)) {
            EncodedCorpus.Header h = p.header();
            if (h.tokenizerFingerprint().equals(tokFp) && h.options().equals(options) && h.vocabSize() == vocab
                    && h.corpusSha256().equals(CorpusIdentity.of(List.of(id)).sha256())) {
                return new SequenceBuilder.Report(h.linesRead(), h.sequenceCount(), h.droppedSequences(),
                        h.truncatedSequences(), h.tokenCount());
            }
            LOG.info("spark-encode: re-encoding {}: its part was made from other inputs", file);
        } catch (RuntimeException e) {
            LOG.info("spark-encode: re-encoding {}: {}", file, e.getMessage());
        }
        return null;
    }

    /** Executor side: encodes one file. */
    static SequenceBuilder.Report runTask(Task t) {
        try (ExecutorPool.Lease<Tokenizer> tok = ExecutorPool.borrow("tokenizer:" + t.tokenizer(),
                () -> UnigramTokenizer.load(Path.of(t.tokenizer())))) {
            t.faults().check(t.index());
            return EncodedCorpus.buildPart(Corpus.lines(Path.of(t.file())), tok.value(), t.options(),
                    Path.of(t.part()));
        }
    }
}
