package io.mlsm.models.io;

import io.mlsm.models.DebertaConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and shapes of the parameters of a Hugging Face {@code DebertaForMaskedLM} (transformers 4.27 v1 code) for
 * a {@link DebertaConfig}, in module order: embeddings, layers, relative embeddings, MLM head.
 *
 * <p>In the released MLSM layout the {@code k} latent concepts are extra output rows: the word-embedding matrix
 * (tied to the decoder) is {@code [V + k, H]} and the output bias {@code [V + k]}; MLM uses rows {@code [0, V)},
 * MLSM rows {@code [V, V + k)}. {@link #vocabularyRows} and {@link #conceptRows} give views of the two parts.
 * The decoder aliases ({@link #DECODER_WEIGHT_ALIAS}, {@link #DECODER_BIAS_ALIAS}) are tied copies, not separate
 * parameters.
 *
 * <pre>{@code
 * Map<String, long[]> shapes = HfParameterLayout.shapes(DebertaConfig.tiny());
 * long[] rel = shapes.get(HfParameterLayout.REL_EMBEDDINGS);      // [256, 64]
 * }</pre>
 */
public final class HfParameterLayout {

    /** Word embeddings {@code [V + k, H]}, tied to the decoder. */
    public static final String WORD_EMBEDDINGS = "deberta.embeddings.word_embeddings.weight";
    /** Relative-position embeddings {@code [2R, H]}. */
    public static final String REL_EMBEDDINGS = "deberta.encoder.rel_embeddings.weight";
    /** Output bias {@code [V + k]}. */
    public static final String OUTPUT_BIAS = "cls.predictions.bias";
    /** Tied alias of {@link #WORD_EMBEDDINGS} that Hugging Face writes. */
    public static final String DECODER_WEIGHT_ALIAS = "cls.predictions.decoder.weight";
    /** Tied alias of {@link #OUTPUT_BIAS} that Hugging Face writes. */
    public static final String DECODER_BIAS_ALIAS = "cls.predictions.decoder.bias";
    /** Buffers some Hugging Face versions save that are not parameters; ignored on load. */
    public static final Set<String> IGNORED_BUFFERS = Set.of("deberta.embeddings.position_ids");
    /** Prefixes of optional heads a checkpoint may carry besides the MLM model (classifier, latent→vocabulary). */
    public static final Set<String> OPTIONAL_HEAD_PREFIXES = Set.of("pooler.", "classifier.", "cls.latent_to_vocab.");

    /** Most problems a shape-mismatch message lists before "... and N more". */
    public static final int MAX_LISTED_PROBLEMS = 10;

    private static final Pattern LAYER_NAME = Pattern.compile("deberta\\.encoder\\.layer\\.(\\d{1,9})\\..*");

    private HfParameterLayout() {
    }

    /**
     * @param c configuration
     * @return parameter name → shape, in Hugging Face module order (aliases excluded)
     */
    public static Map<String, long[]> shapes(DebertaConfig c) {
        long h = c.hiddenSize();
        long i = c.intermediateSize();
        long out = c.outputVocabSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WORD_EMBEDDINGS, new long[] {out, h});
        m.put("deberta.embeddings.LayerNorm.weight", new long[] {h});
        m.put("deberta.embeddings.LayerNorm.bias", new long[] {h});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "deberta.encoder.layer." + l + ".";
            m.put(p + "attention.self.in_proj.weight", new long[] {3 * h, h});
            m.put(p + "attention.self.q_bias", new long[] {h});
            m.put(p + "attention.self.v_bias", new long[] {h});
            if (c.c2p()) {
                m.put(p + "attention.self.pos_proj.weight", new long[] {h, h});
            }
            if (c.p2c()) {
                m.put(p + "attention.self.pos_q_proj.weight", new long[] {h, h});
                m.put(p + "attention.self.pos_q_proj.bias", new long[] {h});
            }
            m.put(p + "attention.output.dense.weight", new long[] {h, h});
            m.put(p + "attention.output.dense.bias", new long[] {h});
            m.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            m.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            m.put(p + "intermediate.dense.weight", new long[] {i, h});
            m.put(p + "intermediate.dense.bias", new long[] {i});
            m.put(p + "output.dense.weight", new long[] {h, i});
            m.put(p + "output.dense.bias", new long[] {h});
            m.put(p + "output.LayerNorm.weight", new long[] {h});
            m.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        m.put(REL_EMBEDDINGS, new long[] {c.relativeEmbeddingRows(), h});
        m.put("cls.predictions.transform.dense.weight", new long[] {h, h});
        m.put("cls.predictions.transform.dense.bias", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.weight", new long[] {h});
        m.put("cls.predictions.transform.LayerNorm.bias", new long[] {h});
        m.put(OUTPUT_BIAS, new long[] {out});
        return Collections.unmodifiableMap(m);
    }

    /**
     * @param name a parameter name
     * @return whether it belongs to an optional head ({@link #OPTIONAL_HEAD_PREFIXES})
     */
    public static boolean isOptionalHead(String name) {
        for (String p : OPTIONAL_HEAD_PREFIXES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks parameter names and shapes against a configuration: every expected parameter present with its shape,
     * nothing unexpected (optional heads allowed).
     *
     * @param c      configuration
     * @param params parameters by Hugging Face name (aliases must already be removed)
     * @param source where they came from, for the message (a file or "model")
     * @throws CheckpointFormatException listing every missing, unexpected and mis-shaped parameter
     */
    public static void validate(DebertaConfig c, Map<String, INDArray> params, String source)
            throws CheckpointFormatException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        params.forEach((k, v) -> shapes.put(k, v.shape()));
        validateShapes(c, shapes, source);
    }

    /**
     * As {@link #validate} on shapes only (a safetensors header is enough: nothing is read or allocated). First the
     * headline sizes of the config ({@code vocab_size}, {@code hidden_size}, {@code num_hidden_layers},
     * {@code intermediate_size}, the relative-position span) are compared with the tensors that carry them, then
     * every parameter; the message lists the first {@value #MAX_LISTED_PROBLEMS} problems and counts the rest.
     *
     * @param c      configuration
     * @param shapes name → shape
     * @param source where they came from
     * @throws CheckpointFormatException listing the problems (bounded length)
     */
    public static void validateShapes(DebertaConfig c, Map<String, long[]> shapes, String source)
            throws CheckpointFormatException {
        Problems problems = new Problems();
        configFieldProblems(c, shapes, problems);
        Map<String, long[]> expected = shapes(c);
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] got = shapes.get(e.getKey());
            if (got == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(got, e.getValue())) {
                problems.add("shape mismatch for '" + e.getKey() + "': expected " + Arrays.toString(e.getValue())
                        + " from the config, got " + Arrays.toString(got));
            }
        }
        problems.addGroup("missing parameters: ", missing);
        List<String> unexpected = new ArrayList<>();
        for (String name : shapes.keySet()) {
            if (!expected.containsKey(name) && !isOptionalHead(name)) {
                unexpected.add(name);
            }
        }
        problems.addGroup("unexpected parameters: ", unexpected);
        if (!problems.isEmpty()) {
            throw new CheckpointFormatException(source + ": parameters do not match the configuration ("
                    + describe(c) + ")" + problems);
        }
    }

    /** Compares the config's headline sizes with the tensors that carry them, naming the config.json field. */
    private static void configFieldProblems(DebertaConfig c, Map<String, long[]> shapes, Problems problems) {
        long[] emb = shapes.get(WORD_EMBEDDINGS);
        if (emb != null && emb.length == 2) {
            fieldProblem(problems, "vocab_size", c.outputVocabSize(), emb[0], WORD_EMBEDDINGS, emb, 0);
            fieldProblem(problems, "hidden_size", c.hiddenSize(), emb[1], WORD_EMBEDDINGS, emb, 1);
        }
        int layers = 0;
        for (String name : shapes.keySet()) {
            Matcher m = LAYER_NAME.matcher(name);
            if (m.matches()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (layers != c.numLayers()) {
            problems.add("config.json num_hidden_layers is " + c.numLayers() + " but the weights have "
                    + (layers == 0 ? "no encoder layers" : "layers 0.." + (layers - 1) + " (" + layers + ")"));
        }
        String ffn = "deberta.encoder.layer.0.intermediate.dense.weight";
        long[] ff = shapes.get(ffn);
        if (ff != null && ff.length == 2) {
            fieldProblem(problems, "intermediate_size", c.intermediateSize(), ff[0], ffn, ff, 0);
        }
        long[] rel = shapes.get(REL_EMBEDDINGS);
        if (rel != null && rel.length == 2) {
            fieldProblem(problems, "max_relative_positions (or max_position_embeddings) x 2",
                    c.relativeEmbeddingRows(), rel[0], REL_EMBEDDINGS, rel, 0);
        }
    }

    private static void fieldProblem(Problems problems, String field, long expected, long got, String tensor,
                                     long[] shape, int dim) {
        if (expected != got) {
            problems.add("config.json " + field + " is " + expected + " but tensor '" + tensor + "' has " + got
                    + " (dimension " + dim + " of " + Arrays.toString(shape) + ")");
        }
    }

    /** Problems joined by "; ", at most {@link #MAX_LISTED_PROBLEMS} items shown, the rest counted. */
    private static final class Problems {
        private final StringBuilder text = new StringBuilder();
        private int listed;
        private long omitted;

        void add(String problem) {
            if (listed < MAX_LISTED_PROBLEMS) {
                text.append("; ").append(problem);
                listed++;
            } else {
                omitted++;
            }
        }

        void addGroup(String heading, List<String> names) {
            if (names.isEmpty()) {
                return;
            }
            if (listed >= MAX_LISTED_PROBLEMS) {
                omitted += names.size();
                return;
            }
            int shown = Math.min(names.size(), MAX_LISTED_PROBLEMS - listed);
            text.append("; ").append(heading).append(String.join(", ", names.subList(0, shown)));
            listed += shown;
            omitted += names.size() - shown;
        }

        boolean isEmpty() {
            return listed == 0 && omitted == 0;
        }

        @Override
        public String toString() {
            return omitted == 0 ? text.toString() : text + "; ... and " + omitted + " more";
        }
    }

    private static String describe(DebertaConfig c) {
        return "V=" + c.vocabSize() + (c.hasLatentConcepts() ? " + k=" + c.latentConcepts() : "") + ", H="
                + c.hiddenSize() + ", layers=" + c.numLayers() + ", I=" + c.intermediateSize() + ", rel="
                + c.relativeEmbeddingRows() + ", pos_att=" + c.positionAttention();
    }

    /**
     * @param outputRows word embeddings {@code [V + k, H]} or output bias {@code [V + k]}
     * @param c          configuration
     * @return a view of the first {@code V} rows (the word-piece vocabulary)
     */
    public static INDArray vocabularyRows(INDArray outputRows, DebertaConfig c) {
        return rows(outputRows, c, 0, c.vocabSize());
    }

    /**
     * @param outputRows word embeddings {@code [V + k, H]} or output bias {@code [V + k]}
     * @param c          configuration with {@code k > 0}
     * @return a view of the last {@code k} rows (the latent concepts)
     */
    public static INDArray conceptRows(INDArray outputRows, DebertaConfig c) {
        if (!c.hasLatentConcepts()) {
            throw new IllegalArgumentException("configuration has no latent concepts (k = 0)");
        }
        return rows(outputRows, c, c.vocabSize(), c.outputVocabSize());
    }

    private static INDArray rows(INDArray a, DebertaConfig c, long from, long to) {
        if (a.size(0) != c.outputVocabSize()) {
            throw new IllegalArgumentException("expected " + c.outputVocabSize() + " output rows (V=" + c.vocabSize()
                    + " + k=" + c.latentConcepts() + "), got shape " + Arrays.toString(a.shape()));
        }
        if (a.rank() == 1) {
            return a.get(NDArrayIndex.interval(from, to));
        }
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    /**
     * Warm start of an MLSM student from a plain MLM teacher in the released layout: copies every teacher parameter
     * and appends {@code k} concept rows to the word embeddings (drawn from N(0, initializerRange), as Hugging Face
     * initialises embeddings) and {@code k} zeros to the output bias. The result matches
     * {@code teacherConfig.withLatentConcepts(k)}.
     *
     * @param teacher       teacher parameters by Hugging Face name (not modified)
     * @param teacherConfig the teacher's configuration ({@code k = 0})
     * @param k             number of latent concepts ({@code > 0})
     * @param seed          seed of the new rows
     * @return new parameter map (copies) for {@code teacherConfig.withLatentConcepts(k)}
     * @throws IllegalArgumentException if the teacher already has concepts or {@code k <= 0}
     * @throws CheckpointFormatException if the teacher parameters do not match the teacher config
     */
    public static Map<String, INDArray> withConceptRows(Map<String, INDArray> teacher, DebertaConfig teacherConfig,
                                                        int k, long seed) throws CheckpointFormatException {
        if (teacherConfig.hasLatentConcepts()) {
            throw new IllegalArgumentException("the teacher already has " + teacherConfig.latentConcepts()
                    + " latent concepts");
        }
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        validate(teacherConfig, teacher, "teacher parameters");
        Map<String, INDArray> out = new LinkedHashMap<>();
        teacher.forEach((name, a) -> out.put(name, a.dup('c')));
        INDArray emb = teacher.get(WORD_EMBEDDINGS);                          // [V, H]
        int h = teacherConfig.hiddenSize();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] rows = new double[k * h];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = rng.nextGaussian() * teacherConfig.initializerRange();
        }
        INDArray concepts = org.nd4j.linalg.factory.Nd4j.create(rows, new long[] {k, h}, 'c')
                .castTo(emb.dataType());                                       // [k, H]
        out.put(WORD_EMBEDDINGS, org.nd4j.linalg.factory.Nd4j.concat(0, emb, concepts));   // [V + k, H]
        INDArray bias = teacher.get(OUTPUT_BIAS);                             // [V]
        out.put(OUTPUT_BIAS, org.nd4j.linalg.factory.Nd4j.concat(0, bias,
                org.nd4j.linalg.factory.Nd4j.zeros(bias.dataType(), k)));     // [V + k]
        return out;
    }
}
