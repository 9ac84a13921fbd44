package io.mlsm.core.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlsm.runtime.Provenance;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a trained tokenizer came from: the algorithm, every training option (the seed included), the corpus and the
 * library version. Saved beside the {@code tokenizer.json} as {@code <name>.provenance.json} (the Hugging Face
 * format has no room for it: {@code tokenizers} rejects unknown top-level fields).
 *
 * <p>This is the tokenizer's typed view of the library's general {@link Provenance} (mlsm-runtime):
 * {@link #toProvenance()} and {@link #from(Provenance)} convert losslessly. The {@code <name>.provenance.json} file
 * keeps its own layout, so tokenizers written before and after the unification read alike. In the general form the
 * trainer options are the {@link Provenance#config() config} (their seed is also the provenance seed), the corpus is
 * the {@value #DATA_KEY} data entry, and {@code algorithm}, {@code words}, {@code uniqueWords}, {@code trainMillis}
 * are {@link Provenance#extra() extras}.
 *
 * <pre>{@code
 * TokenizerProvenance p = tokenizer.provenance().orElseThrow();
 * p.options().vocabSize();   // 8000
 * }</pre>
 *
 * @param algorithm      "unigram-lm (Kudo 2018)"
 * @param options        the trainer options
 * @param corpus         the corpus file, or "lines" when trained from an iterable
 * @param corpusBytes    its size in bytes, or -1
 * @param words          words (Metaspace splits) in the training text
 * @param uniqueWords    distinct words
 * @param trainMillis    training wall time
 * @param libraryVersion version of this library
 * @param createdUtc     ISO-8601 instant of training
 */
public record TokenizerProvenance(String algorithm, UnigramTrainer.Options options, String corpus, long corpusBytes,
                                  long words, int uniqueWords, long trainMillis, String libraryVersion,
                                  String createdUtc) {

    /** The artifact kind in the general provenance. */
    public static final String ARTIFACT = "tokenizer";
    /** The data entry that carries the corpus in the general provenance. */
    public static final String DATA_KEY = "corpus";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerProvenance {
        if (algorithm == null || options == null || corpus == null || libraryVersion == null || createdUtc == null) {
            throw new IllegalArgumentException("provenance fields must not be null");
        }
    }

    static TokenizerProvenance of(UnigramTrainer.Options options, String corpus, long corpusBytes,
                                  UnigramTrainer.Result r, long trainMillis) {
        String version = UnigramTokenizer.class.getPackage().getImplementationVersion();
        return new TokenizerProvenance("unigram-lm (Kudo 2018)", options, corpus, corpusBytes, r.words(),
                r.uniqueWords(), trainMillis, version == null ? "dev" : version, Instant.now().toString());
    }

    /**
     * The general form of this provenance.
     *
     * @return a {@link Provenance} with artifact {@value #ARTIFACT}, the options as config and their seed, the corpus
     *         as the {@value #DATA_KEY} entry and the training statistics as extras
     */
    public Provenance toProvenance() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("algorithm", algorithm);
        extra.put("words", Long.toString(words));
        extra.put("uniqueWords", Integer.toString(uniqueWords));
        extra.put("trainMillis", Long.toString(trainMillis));
        return new Provenance(ARTIFACT, Provenance.LIBRARY, libraryVersion, createdUtc, options.seed(),
                JSON.valueToTree(options), Map.of(DATA_KEY, new Provenance.DataIdentity(corpus, corpusBytes, null,
                null)), Map.of(), extra);
    }

    /**
     * The tokenizer view of a general provenance written by {@link #toProvenance()}.
     *
     * @param p a provenance with artifact {@value #ARTIFACT}
     * @return the typed view
     * @throws IllegalArgumentException if {@code p} is not a tokenizer's provenance or lacks a field
     */
    public static TokenizerProvenance from(Provenance p) {
        Provenance.DataIdentity corpus = p.data().get(DATA_KEY);
        if (!ARTIFACT.equals(p.artifact()) || p.config() == null || corpus == null) {
            throw new IllegalArgumentException("not a tokenizer provenance: artifact '" + p.artifact()
                    + "', options " + (p.config() == null ? "missing" : "present") + ", corpus "
                    + (corpus == null ? "missing" : "present"));
        }
        UnigramTrainer.Options options;
        try {
            options = JSON.treeToValue(p.config(), UnigramTrainer.Options.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer provenance options: " + e.getOriginalMessage(), e);
        }
        try {
            return new TokenizerProvenance(p.extra().get("algorithm"), options, corpus.path(), corpus.bytes(),
                    Long.parseLong(p.extra().getOrDefault("words", "0")),
                    Integer.parseInt(p.extra().getOrDefault("uniqueWords", "0")),
                    Long.parseLong(p.extra().getOrDefault("trainMillis", "0")), p.libraryVersion(), p.created());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tokenizer provenance statistics: " + e.getMessage(), e);
        }
    }
}
