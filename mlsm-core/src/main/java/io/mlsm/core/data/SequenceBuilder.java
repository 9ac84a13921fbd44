package io.mlsm.core.data;

import io.mlsm.core.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Turns the lines of a {@link Corpus} into id sequences {@code [CLS] A [SEP] B [SEP]} (see {@link SequenceOptions}),
 * streaming: at most a few chunks of 2048 pairs are held in memory.
 *
 * <pre>{@code
 * SequenceBuilder builder = new SequenceBuilder(tokenizer, SequenceOptions.defaults());
 * SequenceBuilder.Report report = builder.build(corpus, ids -> sink.add(ids));
 * }</pre>
 */
public final class SequenceBuilder {

    private static final int CHUNK_PAIRS = 2048;

    private final Tokenizer tokenizer;
    private final SequenceOptions options;

    /**
     * Counts of what happened to the lines.
     *
     * @param lines     lines read (blank ones included)
     * @param sequences sequences emitted
     * @param dropped   sequences dropped as too short
     * @param truncated sequences emitted after truncation to the maximum length
     * @param tokens    ids emitted, special tokens included
     */
    public record Report(long lines, long sequences, long dropped, long truncated, long tokens)
            implements java.io.Serializable {
    }

    public SequenceBuilder(Tokenizer tokenizer, SequenceOptions options) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** @return the options */
    public SequenceOptions options() {
        return options;
    }

    /**
     * The sequence of one pair of lines.
     *
     * @param a first line
     * @param b second line, or {@code null} for a single-line sequence
     * @return the ids, or {@code null} when the pair has fewer than {@code minContentTokens} content ids
     */
    public int[] encode(String a, String b) {
        int[] ia = tokenizer.encode(a);
        int[] ib = b == null ? null : tokenizer.encode(b);
        return assemble(ia, ib);
    }

    private int[] assemble(int[] ia, int[] ib) {
        int content = ia.length + (ib == null ? 0 : ib.length);
        if (content < options.minContentTokens()) {
            return null;
        }
        return ib == null ? tokenizer.encodeSingle(ia, options.maxLength())
                : tokenizer.encodePair(ia, ib, options.maxLength());
    }

    /** Streams the sequences of {@code corpus} to {@code sink} on the calling thread; see
     * {@link #build(Corpus, Consumer, int)}. */
    public Report build(Corpus corpus, Consumer<int[]> sink) {
        return build(corpus, sink, 1);
    }

    /**
     * Streams the sequences of {@code corpus} to {@code sink}, in corpus order whatever the number of threads. Pairs
     * never span two files; blank lines are skipped. With {@code threads > 1} chunks of pairs are tokenised in
     * parallel (the tokenizer must be thread-safe, as the {@link Tokenizer} contract says) while the calling thread
     * reads lines and feeds {@code sink}; at most {@code 2 * threads} chunks are in flight.
     *
     * @param threads tokenising threads, {@code >= 1}
     * @return counts of lines, sequences, drops and truncations
     */
    public Report build(Corpus corpus, Consumer<int[]> sink, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        long[] lines = {0};
        long[] counts = new long[4]; // sequences, dropped, truncated, tokens
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mlsm-encode");
            t.setDaemon(true);
            return t;
        }) : null;
        ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
        List<String[]> pending = new ArrayList<>(CHUNK_PAIRS);
        Consumer<Chunk> drain = chunk -> {
            chunk.sequences.forEach(sink);
            counts[0] += chunk.sequences.size();
            counts[1] += chunk.dropped;
            counts[2] += chunk.truncated;
            counts[3] += chunk.tokens;
        };
        Consumer<List<String[]>> submit = pairs -> {
            if (pool == null) {
                drain.accept(encodeChunk(pairs));
                return;
            }
            if (inFlight.size() >= 2 * threads) {
                drain.accept(await(inFlight.removeFirst()));
            }
            inFlight.addLast(pool.submit(() -> encodeChunk(pairs)));
        };
        String[] open = new String[1];
        int[] openFile = {-1};
        try {
            corpus.forEachLine((fileIndex, lineNumber, line) -> {
                lines[0]++;
                if (open[0] != null && openFile[0] != fileIndex) {
                    pending.add(new String[] {open[0], null});
                    open[0] = null;
                }
                String text = line.strip();
                if (!text.isEmpty()) {
                    if (!options.pairLines()) {
                        pending.add(new String[] {text, null});
                    } else if (open[0] == null) {
                        open[0] = text;
                        openFile[0] = fileIndex;
                    } else {
                        pending.add(new String[] {open[0], text});
                        open[0] = null;
                    }
                }
                if (pending.size() >= CHUNK_PAIRS) {
                    submit.accept(new ArrayList<>(pending));
                    pending.clear();
                }
            });
            if (open[0] != null) {
                pending.add(new String[] {open[0], null});
            }
            if (!pending.isEmpty()) {
                submit.accept(new ArrayList<>(pending));
            }
            while (!inFlight.isEmpty()) {
                drain.accept(await(inFlight.removeFirst()));
            }
        } finally {
            if (pool != null) {
                inFlight.forEach(f -> f.cancel(true));
                pool.shutdownNow();
            }
        }
        return new Report(lines[0], counts[0], counts[1], counts[2], counts[3]);
    }

    private record Chunk(List<int[]> sequences, long dropped, long truncated, long tokens) {
    }

    private Chunk encodeChunk(List<String[]> pairs) {
        List<int[]> out = new ArrayList<>(pairs.size());
        long dropped = 0;
        long truncated = 0;
        long tokens = 0;
        int window = options.maxLength() - 2;
        for (String[] pair : pairs) {
            int[] ia = tokenizer.encode(pair[0]);
            int[] ib = pair[1] == null ? null : tokenizer.encode(pair[1]);
            if (options.windowLongLines() && (ia.length > window || (ib != null && ib.length > window))) {
                // a line too long for one sequence: each line becomes its own windows
                for (int[] line : ib == null ? new int[][]{ia} : new int[][]{ia, ib}) {
                    for (int from = 0; from < line.length; from += window) {
                        int[] part = java.util.Arrays.copyOfRange(line, from, Math.min(line.length, from + window));
                        int[] ids = assemble(part, null);
                        if (ids == null) {
                            dropped++;
                            continue;
                        }
                        tokens += ids.length;
                        out.add(ids);
                    }
                }
                continue;
            }
            int[] ids = assemble(ia, ib);
            if (ids == null) {
                dropped++;
                continue;
            }
            int full = ia.length + (ib == null ? 2 : ib.length + 3);
            if (full > ids.length) {
                truncated++;
            }
            tokens += ids.length;
            out.add(ids);
        }
        return new Chunk(out, dropped, truncated, tokens);
    }

    private static Chunk await(Future<Chunk> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding the corpus", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("encoding the corpus failed", c);
        }
    }
}
