package io.mlsm.eval.model;

import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * BLiMP scoring speed of {@link DebertaMaskedLmScorer} on a randomly initialised {@link DebertaConfig#small()} model
 * (vocabulary 25 000) over the first pair of each paradigm (benchmark main, not a test). Prints pairs/s, pairs per
 * CPU-second of the process (less sensitive to other jobs on a shared machine), masked copies/s and forward passes
 * for several row limits per pass.
 *
 * <pre>
 * java -cp mlsm-core/target/test-classes:mlsm-core/target/classes:$(deps) \
 *     io.mlsm.eval.model.BlimpScoringBenchmark ../shared/data [pairs] [rows,rows,...]
 * </pre>
 */
public final class BlimpScoringBenchmark {

    private BlimpScoringBenchmark() {
    }

    /** CPU time of the whole process (all threads, native ones included), or 0 when the JVM cannot tell. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String[] rowLimits = (args.length > 2 ? args[2] : "32,128").split(",");
        List<MinimalPair> pairs = BlimpReader.readBlimp(data.resolve("blimp_filtered"), EvalLimit.firstN(1));
        pairs = pairs.subList(0, Math.min(n, pairs.size()));
        Tokenizer tok = new FakeWordTokenizer(25_000);
        DebertaModel model = DebertaModel.initialize(DebertaConfig.small(), 42L);
        System.out.printf(Locale.ROOT, "model: DebertaConfig.small(), %d parameters; %d pairs%n",
                model.parameterCount(), pairs.size());
        // warm-up: graphs built, native code loaded
        new BlimpEvaluator(tok, DebertaMaskedLmScorer.mlmHead(model), PllOptions.defaults())
                .evaluate(pairs.subList(0, Math.min(4, pairs.size())), null);
        for (String rows : rowLimits) {
            PllOptions opt = PllOptions.defaults().withMaxBatchRows(Integer.parseInt(rows.trim()));
            BlimpEvaluator ev = new BlimpEvaluator(tok, DebertaMaskedLmScorer.mlmHead(model), opt);
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            BlimpResult r = ev.evaluate(pairs, null);
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (processCpuNanos() - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "maxBatchRows %4s: %.1f s (%.1f CPU-s), %.2f pairs/s (%.2f pairs per "
                            + "CPU-s), %d masked copies (%.1f/s), %d forward passes, accuracy %.3f%n", rows.trim(), s,
                    cpu, pairs.size() / s, pairs.size() / cpu, ev.pll().maskedRows(), ev.pll().maskedRows() / s,
                    ev.pll().forwardPasses(), r.overall().value());
        }
    }
}
