package io.mlsm.examples;

import io.mlsm.core.tokenizer.SpecialTokens;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.core.tokenizer.VocabularyFit;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Loads a DeBERTa model directory (Hugging Face layout: {@code config.json} + {@code model.safetensors}, a released
 * checkpoint or one exported by this library) and a {@code tokenizer.json}, and prints the most probable fillers of
 * every {@code [MASK]} in a text (MLM head, softmax over the vocabulary).
 *
 * <pre>{@code
 * var r = FillMaskExample.run(new FillMaskExample.Options(Path.of("runs/quickstart/teacher"),
 *         Path.of("runs/quickstart/tokenizer/tokenizer.json"), List.of("The cat sat on the [MASK]."), 5));
 * r.texts().get(0).masks().get(0).candidates().get(0).piece();
 * }</pre>
 * Command line: {@code mlsm fill-mask --model DIR --tokenizer FILE "The cat sat on the [MASK]."}.
 */
public final class FillMaskExample {

    /** The mask marker in input texts. */
    public static final String MASK = SpecialTokens.MASK;

    private FillMaskExample() {
    }

    /**
     * @param modelDir      model directory
     * @param tokenizerFile {@code tokenizer.json}
     * @param texts         texts, each with at least one {@code [MASK]}
     * @param topK          fillers per mask, {@code >= 1}
     * @param concepts      latent concepts {@code k} of a released {@code V + k} directory with no key of ours, or
     *                      -1: from the config, else {@code vocab_size − tokenizer size}
     */
    public record Options(Path modelDir, Path tokenizerFile, List<String> texts, int topK, int concepts) {

        /** Options with {@code k} from the config, else {@code vocab_size − tokenizer size}. */
        public Options(Path modelDir, Path tokenizerFile, List<String> texts, int topK) {
            this(modelDir, tokenizerFile, texts, topK, -1);
        }

        public Options {
            if (concepts < -1) {
                throw new IllegalArgumentException("concepts must be >= 0, or -1 (from the config / inferred), got "
                        + concepts);
            }
            if (modelDir == null || !Files.isDirectory(modelDir)) {
                throw new IllegalArgumentException("model directory does not exist: " + modelDir);
            }
            if (tokenizerFile == null || !Files.isRegularFile(tokenizerFile)) {
                throw new IllegalArgumentException("tokenizer file does not exist: " + tokenizerFile);
            }
            if (texts == null || texts.isEmpty()) {
                throw new IllegalArgumentException("no text given");
            }
            texts = List.copyOf(texts);
            for (String t : texts) {
                if (!t.contains(MASK)) {
                    throw new IllegalArgumentException("text has no " + MASK + ": '" + t + "'");
                }
            }
            if (topK < 1) {
                throw new IllegalArgumentException("topK must be >= 1, got " + topK);
            }
        }
    }

    /** One filler: token id, its piece and its probability. */
    public record Candidate(int id, String piece, double probability) {
    }

    /** The fillers of one {@code [MASK]} at {@code position} of the encoded input, most probable first. */
    public record MaskPrediction(int position, List<Candidate> candidates) {
        public MaskPrediction {
            candidates = List.copyOf(candidates);
        }
    }

    /** One text: its encoded ids ({@code [CLS] ... [SEP]}) and the prediction of each mask, left to right. */
    public record FilledText(String text, int[] ids, List<MaskPrediction> masks) {
        public FilledText {
            ids = ids.clone();
            masks = List.copyOf(masks);
        }

        /** @return the text with every mask replaced by its best filler */
        public String bestFilling() {
            String out = text;
            for (MaskPrediction m : masks) {
                String piece = m.candidates().get(0).piece().replace('\u2581', ' ').strip();
                out = out.replaceFirst(java.util.regex.Pattern.quote(MASK),
                        java.util.regex.Matcher.quoteReplacement(piece));
            }
            return out;
        }
    }

    /** @param texts one entry per input text */
    public record Result(List<FilledText> texts) {
        public Result {
            texts = List.copyOf(texts);
        }
    }

    /**
     * @throws IllegalArgumentException when the tokenizer has more ids than the model's vocabulary (fewer: a
     *                                  warning, {@link VocabularyFit})
     * @throws UncheckedIOException     when the model or tokenizer cannot be read
     */
    public static Result run(Options o) {
        DebertaModel model;
        Tokenizer tok;
        try {
            tok = UnigramTokenizer.load(o.tokenizerFile());
            model = HfDebertaDirectory.loadModelFor(o.modelDir(), tok.vocabSize(), o.concepts());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        VocabularyFit.require(tok, model.config(), o.tokenizerFile(), o.modelDir());
        List<FilledText> out = new ArrayList<>();
        for (String text : o.texts()) {
            int[] ids = encodeWithMasks(tok, text, model.config().maxPositions());
            int[][] mask = new int[1][ids.length];
            Arrays.fill(mask[0], 1);
            INDArray logits = model.forward(new int[][]{ids}, mask).logits();   // [1, T, V]
            List<MaskPrediction> preds = new ArrayList<>();
            for (int t = 0; t < ids.length; t++) {
                if (ids[t] == tok.specials().mask()) {
                    float[] row = logits.slice(0).getRow(t).toFloatVector();   // [V]
                    preds.add(new MaskPrediction(t, topK(row, tok, o.topK())));
                }
            }
            out.add(new FilledText(text, ids, preds));
        }
        return new Result(out);
    }

    /**
     * Encodes a text whose masks are written {@code [MASK]}: the text between masks is encoded as separate segments
     * (white space around a mask stripped), and the result wrapped as {@code [CLS] ... [SEP]}.
     */
    static int[] encodeWithMasks(Tokenizer tok, String text, int maxLength) {
        String[] parts = text.split(java.util.regex.Pattern.quote(MASK), -1);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String seg = parts[i].strip();
            if (!seg.isEmpty()) {
                for (int id : tok.encode(seg)) {
                    ids.add(id);
                }
            }
            if (i < parts.length - 1) {
                ids.add(tok.specials().mask());
            }
        }
        if (ids.size() + 2 > maxLength) {
            throw new IllegalArgumentException("text is " + (ids.size() + 2) + " tokens long with [CLS] and [SEP], "
                    + "the model takes at most " + maxLength + ": '" + text + "'");
        }
        return tok.encodeSingle(ids.stream().mapToInt(Integer::intValue).toArray(), maxLength);
    }

    private static List<Candidate> topK(float[] logits, Tokenizer tok, int k) {
        int v = tok.vocabSize();   // ids past the tokenizer (padded vocabularies) are never proposed
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            max = Math.max(max, logits[i]);
        }
        double z = 0;
        for (int i = 0; i < v; i++) {
            z += Math.exp(logits[i] - max);
        }
        double logZ = max + Math.log(z);
        return IntStream.range(0, v).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -logits[i]).thenComparingInt(i -> i))
                .limit(k)
                .map(i -> new Candidate(i, tok.idToPiece(i), Math.exp(logits[i] - logZ)))
                .toList();
    }
}
