package io.mlsm.core.data;

import java.util.List;

/**
 * Random access to tokenised sequences (ids with special tokens), by index. {@link EncodedCorpus} is the
 * memory-mapped, disk-backed implementation; {@link #of(List)} holds small data in memory.
 *
 * <pre>{@code
 * Sequences seqs = Sequences.of(List.of(new int[] {2, 17, 3}, new int[] {2, 9, 11, 3}));
 * int[] first = seqs.get(0);
 * }</pre>
 */
public interface Sequences {

    /** @return the number of sequences */
    int size();

    /** @return the number of ids of sequence {@code index} */
    int length(int index);

    /** @return a fresh copy of the ids of sequence {@code index} */
    int[] get(int index);

    /**
     * Copies the ids of sequence {@code index} into {@code dest} at {@code offset}.
     *
     * @return the number of ids copied
     */
    default int copyTo(int index, int[] dest, int offset) {
        int[] ids = get(index);
        System.arraycopy(ids, 0, dest, offset, ids.length);
        return ids.length;
    }

    /** @return an upper bound of every sequence's length */
    int maxLength();

    /** @return the total number of ids */
    long tokenCount();

    /**
     * A view of the sequences {@code [from, to)} of this one, re-indexed from 0 (no ids are copied). Its
     * {@link #maxLength()} is this one's bound, so batches padded to the longest sequence of each batch come out the
     * same in the view as in the whole.
     *
     * @param from first sequence, inclusive
     * @param to   last sequence, exclusive
     * @return the view
     * @throws IndexOutOfBoundsException naming the range and the size when it is not within {@code [0, size()]}
     */
    default Sequences slice(int from, int to) {
        Sequences whole = this;
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + size() + " sequences");
        }
        long tokens = 0;
        for (int i = from; i < to; i++) {
            tokens += length(i);
        }
        long count = tokens;
        return new Sequences() {
            @Override
            public int size() {
                return to - from;
            }

            @Override
            public int length(int index) {
                return whole.length(from + java.util.Objects.checkIndex(index, to - from));
            }

            @Override
            public int[] get(int index) {
                return whole.get(from + java.util.Objects.checkIndex(index, to - from));
            }

            @Override
            public int copyTo(int index, int[] dest, int offset) {
                return whole.copyTo(from + java.util.Objects.checkIndex(index, to - from), dest, offset);
            }

            @Override
            public int maxLength() {
                return whole.maxLength();
            }

            @Override
            public long tokenCount() {
                return count;
            }
        };
    }

    /**
     * @param sequences the sequences (copied)
     * @return in-memory sequences
     */
    static Sequences of(List<int[]> sequences) {
        return new InMemorySequences(sequences);
    }
}
