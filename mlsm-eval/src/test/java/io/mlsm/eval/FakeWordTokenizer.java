package io.mlsm.eval;

import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test tokenizer: splits on whitespace; words longer than 4 characters become two pieces (first 3 characters and
 * the rest), so sentences have more pieces than words. Ids are assigned on first sight (deterministic for a given
 * call order) after the 5 special tokens {@code [CLS]=0 [SEP]=1 <unk>=2 <pad>=3 [MASK]=4}.
 */
public final class FakeWordTokenizer implements Tokenizer {

    private static final SpecialTokens SPECIALS = new SpecialTokens(0, 1, 2, 3, 4);
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> pieces = new ArrayList<>(List.of("[CLS]", "[SEP]", "<unk>", "<pad>", "[MASK]"));
    private final int capacity;

    public FakeWordTokenizer(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        for (String w : text.trim().split("\\s+")) {
            if (w.isEmpty()) {
                continue;
            }
            if (w.length() > 4) {
                out.add(id("▁" + w.substring(0, 3)));
                out.add(id(w.substring(3)));
            } else {
                out.add(id("▁" + w));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int id(String piece) {
        Integer id = ids.get(piece);
        if (id == null) {
            if (pieces.size() >= capacity) {
                return SPECIALS.unk();
            }
            id = pieces.size();
            pieces.add(piece);
            ids.put(piece, id);
        }
        return id;
    }

    @Override
    public synchronized String decode(int[] idsIn) {
        StringBuilder sb = new StringBuilder();
        for (int id : idsIn) {
            if (!SPECIALS.isSpecial(id)) {
                sb.append(pieces.get(id).replace('▁', ' '));
            }
        }
        return sb.toString().trim();
    }

    @Override
    public int vocabSize() {
        return capacity;
    }

    @Override
    public SpecialTokens specials() {
        return SPECIALS;
    }

    @Override
    public synchronized int pieceToId(String piece) {
        return ids.getOrDefault(piece, -1);
    }

    @Override
    public synchronized String idToPiece(int id) {
        return pieces.get(id);
    }
}
