package io.mlsm.core.data;

import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.core.tokenizer.Tokenizer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Batches of masked sequences with random access by batch index. Batch {@code i} belongs to epoch
 * {@code e = i / batchesPerEpoch()}; its rows are the sequences at positions {@code [p*B, (p+1)*B)} of epoch
 * {@code e}'s order, a {@link FeistelPermutation} keyed by (seed, e); its masks come from a {@link SplittableRandom}
 * seeded by (seed, i). So {@link #batch(long)} costs O(B*T) whatever {@code i} is, and {@link #startingAt(long)}
 * restarted at {@code i} yields exactly what an uninterrupted stream yields from {@code i} on.
 *
 * <pre>{@code
 * BatchStream stream = BatchStream.builder(encodedCorpus, tokenizer)
 *         .batchSize(32).masking(Masking.mlm()).seed(42).build();
 * Iterator<Batch> it = stream.startingAt(checkpoint.step() * accumulation);    // resume
 * }</pre>
 *
 * <p>With gradient accumulation the trainer maps (step, micro-batch) to the batch index {@code step * accum + micro}.
 * A stream is immutable and thread-safe (batches may be prepared on another thread); for evaluation use
 * {@code shuffle(false).dropLast(false).epochs(1)}.
 */
public final class BatchStream implements Iterable<Batch> {

    private static final long ORDER_SALT = 0x0D0E_5EEDL;
    private static final long MASK_SALT = 0x3A5C_5EEDL;

    private final Sequences sequences;
    private final SpecialTokens specials;
    private final int vocabSize;
    private final int batchSize;
    private final Masking masking;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int fixedLength;
    private final long epochs;
    private final long batchesPerEpoch;

    private BatchStream(Builder b) {
        this.sequences = b.sequences;
        this.specials = b.specials;
        this.vocabSize = b.vocabSize;
        this.batchSize = b.batchSize;
        this.masking = b.masking;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.fixedLength = b.fixedLength;
        this.epochs = b.epochs;
        int n = sequences.size();
        if (n < 1) {
            throw new IllegalArgumentException("no sequences to batch");
        }
        if (dropLast && n < batchSize) {
            throw new IllegalArgumentException("only " + n + " sequences, fewer than the batch size " + batchSize
                    + "; lower the batch size (--batch), add text, cut long lines into windows (--long-lines window, "
                    + "SequenceOptions.withWindowLongLines) or keep a short last batch (dropLast(false))");
        }
        this.batchesPerEpoch = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
        if (fixedLength > 0 && fixedLength < sequences.maxLength()) {
            throw new IllegalArgumentException("fixed length " + fixedLength + " is shorter than the longest sequence ("
                    + sequences.maxLength() + ")");
        }
        int specialCount = (int) java.util.stream.IntStream.of(specials.cls(), specials.sep(), specials.unk(),
                specials.pad(), specials.mask()).filter(id -> id < vocabSize).distinct().count();
        if (vocabSize <= specialCount) {
            throw new IllegalArgumentException("vocabulary of " + vocabSize + " ids has no non-special id");
        }
    }

    /** @return a builder over {@code sequences}, with special ids and vocabulary size from {@code tokenizer} */
    public static Builder builder(Sequences sequences, Tokenizer tokenizer) {
        return new Builder(sequences, tokenizer.specials(), tokenizer.vocabSize());
    }

    /** @return a builder over {@code sequences} */
    public static Builder builder(Sequences sequences, SpecialTokens specials, int vocabSize) {
        return new Builder(sequences, specials, vocabSize);
    }

    /** @return the number of batches per epoch */
    public long batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** @return the number of batches when the stream is limited to a number of epochs, else empty (endless) */
    public OptionalLong totalBatches() {
        return epochs == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(epochs * batchesPerEpoch);
    }

    /** @return the special-token ids (never masked, never a target) */
    public SpecialTokens specials() {
        return specials;
    }

    /** @return the masking applied to every batch */
    public Masking masking() {
        return masking;
    }

    /** @return the seed of order and masks */
    public long seed() {
        return seed;
    }

    /** @return the batch size */
    public int batchSize() {
        return batchSize;
    }

    /** @return the sequences */
    public Sequences sequences() {
        return sequences;
    }

    /**
     * @param batchIndex a batch index
     * @param row        a row of that batch
     * @return the index of the sequence at that row
     */
    public int sequenceIndex(long batchIndex, int row) {
        checkIndex(batchIndex);
        long epoch = batchIndex / batchesPerEpoch;
        long position = (batchIndex % batchesPerEpoch) * batchSize + row;
        if (row < 0 || row >= rows(batchIndex)) {
            throw new IndexOutOfBoundsException("row " + row + " outside batch " + batchIndex + " of "
                    + rows(batchIndex) + " rows");
        }
        return shuffle ? FeistelPermutation.of(sequences.size(), SplitMix.derive(seed, ORDER_SALT, epoch))
                .apply((int) position) : (int) position;
    }

    private int rows(long batchIndex) {
        long position = (batchIndex % batchesPerEpoch) * batchSize;
        return (int) Math.min(batchSize, sequences.size() - position);
    }

    private void checkIndex(long batchIndex) {
        if (batchIndex < 0) {
            throw new IndexOutOfBoundsException("batch index must be >= 0, got " + batchIndex);
        }
        if (epochs != Long.MAX_VALUE && batchIndex >= epochs * batchesPerEpoch) {
            throw new IndexOutOfBoundsException("batch index " + batchIndex + " beyond the " + epochs + " epochs ("
                    + epochs * batchesPerEpoch + " batches)");
        }
    }

    /**
     * @param batchIndex a batch index, {@code >= 0}
     * @return batch {@code batchIndex}, a pure function of (sequences, options, seed, index)
     */
    public Batch batch(long batchIndex) {
        checkIndex(batchIndex);
        long epoch = batchIndex / batchesPerEpoch;
        long start = (batchIndex % batchesPerEpoch) * batchSize;
        int rows = rows(batchIndex);
        FeistelPermutation order = shuffle
                ? FeistelPermutation.of(sequences.size(), SplitMix.derive(seed, ORDER_SALT, epoch)) : null;
        int[] seqIdx = new int[rows];
        int longest = 0;
        for (int r = 0; r < rows; r++) {
            int position = (int) (start + r);
            seqIdx[r] = order == null ? position : order.apply(position);
            longest = Math.max(longest, sequences.length(seqIdx[r]));
        }
        int t = fixedLength > 0 ? fixedLength : longest;
        int[] original = new int[rows * t];
        int[] input = new int[rows * t];
        int[] attention = new int[rows * t];
        int[] labels = new int[rows * t];
        java.util.Arrays.fill(original, specials.pad());
        java.util.Arrays.fill(input, specials.pad());
        java.util.Arrays.fill(labels, Masking.IGNORE);
        SplittableRandom rng = new SplittableRandom(SplitMix.derive(seed, MASK_SALT, batchIndex));
        for (int r = 0; r < rows; r++) {
            int len = sequences.copyTo(seqIdx[r], original, r * t);
            for (int i = r * t; i < r * t + len; i++) {
                int id = original[i];
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException("sequence " + seqIdx[r] + " has id " + id + " outside the "
                            + "vocabulary of " + vocabSize + " ids (tokenizer/corpus mismatch?)");
                }
                attention[i] = 1;
            }
            masking.apply(original, r * t, input, labels, r * t, len, rng, specials, vocabSize);
        }
        return new Batch(batchIndex, epoch, rows, t, seqIdx, input, original, attention, labels, false);
    }

    /**
     * @param batchIndex the first batch, e.g. the number of batches consumed before a checkpoint
     * @return the batches from {@code batchIndex} on, until the epoch limit (endless without one)
     */
    public Iterator<Batch> startingAt(long batchIndex) {
        if (batchIndex < 0) {
            throw new IllegalArgumentException("batch index must be >= 0, got " + batchIndex);
        }
        long end = epochs == Long.MAX_VALUE ? Long.MAX_VALUE : epochs * batchesPerEpoch;
        return new Iterator<>() {
            private long next = batchIndex;

            @Override
            public boolean hasNext() {
                return next < end;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("batch stream ends at " + end);
                }
                return batch(next++);
            }
        };
    }

    /** @return the batches from index 0 */
    @Override
    public Iterator<Batch> iterator() {
        return startingAt(0);
    }

    /** @return the batches from {@code batchIndex} on, as a sequential stream */
    public Stream<Batch> stream(long batchIndex) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(startingAt(batchIndex),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * Fluent configuration of a {@link BatchStream}. Defaults: batch size 32, {@link Masking#mlm()}, seed 42,
     * shuffled, incomplete last batch of an epoch dropped, padded to the longest sequence of each batch, endless.
     */
    public static final class Builder {
        private final Sequences sequences;
        private final SpecialTokens specials;
        private final int vocabSize;
        private int batchSize = 32;
        private Masking masking = Masking.mlm();
        private long seed = 42;
        private boolean shuffle = true;
        private boolean dropLast = true;
        private int fixedLength;
        private long epochs = Long.MAX_VALUE;

        private Builder(Sequences sequences, SpecialTokens specials, int vocabSize) {
            this.sequences = Objects.requireNonNull(sequences, "sequences");
            this.specials = Objects.requireNonNull(specials, "specials");
            if (vocabSize < 1) {
                throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
            }
            this.vocabSize = vocabSize;
        }

        /** @param size sequences per batch, {@code >= 1} */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /** @param m the masking */
        public Builder masking(Masking m) {
            this.masking = Objects.requireNonNull(m, "masking");
            return this;
        }

        /** @param s seed of the order and the masks */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @param s whether each epoch visits the sequences in a seeded random order (else in corpus order) */
        public Builder shuffle(boolean s) {
            this.shuffle = s;
            return this;
        }

        /** @param d whether an epoch's incomplete last batch is dropped (else it is a smaller batch) */
        public Builder dropLast(boolean d) {
            this.dropLast = d;
            return this;
        }

        /** Pads every batch to {@code length} (at least the longest sequence). */
        public Builder padTo(int length) {
            if (length < 1) {
                throw new IllegalArgumentException("pad length must be >= 1, got " + length);
            }
            this.fixedLength = length;
            return this;
        }

        /** Pads each batch to its longest sequence (the default). */
        public Builder padToLongest() {
            this.fixedLength = 0;
            return this;
        }

        /** @param n number of epochs after which the stream ends, {@code >= 1} */
        public Builder epochs(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + n);
            }
            this.epochs = n;
            return this;
        }

        /** @return the stream */
        public BatchStream build() {
            return new BatchStream(this);
        }
    }
}
