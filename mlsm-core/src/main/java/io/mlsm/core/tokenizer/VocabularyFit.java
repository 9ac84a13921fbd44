package io.mlsm.core.tokenizer;

import io.mlsm.models.DebertaConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Whether a tokenizer and a model belong together, checked wherever the two are paired (fill-mask, dictionary
 * learning, zero-shot scoring, fine-tuning). The tokenizer's ids {@code [0, T)} are compared with the model's
 * word-piece vocabulary {@code V} = {@link DebertaConfig#vocabSize()}: in the released MLSM layout
 * {@code config.json} says {@code vocab_size = V + k}, and the {@code k} latent-concept rows are outputs, not token
 * ids, so a {@code V}-id tokenizer is the right one for such a model.
 *
 * <ul>
 *   <li>{@code T > V}: an error; ids {@code >= V} would index past the word vocabulary (into the concept rows, or
 *       past the embedding table).</li>
 *   <li>{@code T < V}: a warning; model rows {@code [T, V)} are never read or predicted, which usually means the
 *       tokenizer is not the one the model was trained with (a vocabulary padded for speed is the legitimate
 *       case).</li>
 * </ul>
 *
 * <pre>{@code
 * Tokenizer tok = UnigramTokenizer.load(tokenizerFile);
 * DebertaModel model = HfDebertaDirectory.loadModel(modelDir);
 * VocabularyFit.require(tok, model.config(), tokenizerFile, modelDir);   // throws if T > V, logs WARN if T < V
 * }</pre>
 */
public final class VocabularyFit {

    private static final Logger LOG = LoggerFactory.getLogger(VocabularyFit.class);

    private VocabularyFit() {
    }

    /**
     * Checks a tokenizer against a model and logs a warning (SLF4J WARN) when it has fewer ids than the model's
     * vocabulary.
     *
     * @param tokenizer       the tokenizer
     * @param model           the model's configuration
     * @param tokenizerSource where the tokenizer came from (a file), for the message, or {@code null}
     * @param modelSource     where the model came from (a directory), for the message, or {@code null}
     * @throws IllegalArgumentException if the tokenizer has more ids than the model's word vocabulary
     */
    public static void require(Tokenizer tokenizer, DebertaConfig model, Object tokenizerSource, Object modelSource) {
        check(tokenizer.vocabSize(), model, tokenizerSource, modelSource).ifPresent(LOG::warn);
    }

    /**
     * The check of {@link #require} without logging.
     *
     * @param tokenizerIds    number of tokenizer ids {@code T}
     * @param model           the model's configuration (word vocabulary {@code V}, concepts {@code k})
     * @param tokenizerSource where the tokenizer came from, for the message
     * @param modelSource     where the model came from, for the message
     * @return the warning when {@code T < V}, empty when {@code T == V}
     * @throws IllegalArgumentException when {@code T > V}, naming both sizes
     */
    public static Optional<String> check(int tokenizerIds, DebertaConfig model, Object tokenizerSource,
                                         Object modelSource) {
        int v = model.vocabSize();
        String sizes = "tokenizer/model vocabulary mismatch: " + named("the tokenizer", tokenizerSource) + " has "
                + tokenizerIds + " ids but " + named("the model", modelSource) + " has a word vocabulary of " + v
                + (model.hasLatentConcepts() ? " (vocab_size " + model.outputVocabSize() + " = " + v + " + "
                + model.latentConcepts() + " latent concepts)" : "");
        if (tokenizerIds > v) {
            throw new IllegalArgumentException(sizes + ": ids " + v + " and above would index past the word "
                    + "vocabulary; they do not belong together");
        }
        if (tokenizerIds < v) {
            return Optional.of(sizes + ": model rows " + tokenizerIds + ".." + (v - 1) + " are never used; is this "
                    + "the tokenizer the model was trained with?");
        }
        return Optional.empty();
    }

    private static String named(String what, Object source) {
        return source == null || source.toString().isBlank() ? what : what + " " + source;
    }
}
