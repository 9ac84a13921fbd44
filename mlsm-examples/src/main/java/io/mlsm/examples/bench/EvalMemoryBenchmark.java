package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.examples.PretrainExample;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.samediff.OpTimes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test) of BLiMP scoring memory and speed in one process: a model of a preset's architecture
 * (random weights: memory and speed do not depend on them) scores BLiMP files, and the resident set size is printed
 * after every chunk of pairs, then the peak ({@code VmHWM}) and pairs per second.
 *
 * <pre>
 * java -cp ... io.mlsm.examples.bench.EvalMemoryBenchmark small runs/tok/tokenizer.json \
 *     ../shared/data/blimp_filtered ../shared/data/blimp_supplement 0 2000 0
 *     # preset tokenizer blimp supplement pairs-per-file(0 = all) chunk profile-rows(0 = no per-op profile)
 * </pre>
 */
public final class EvalMemoryBenchmark {

    private EvalMemoryBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("BLAS threads: " + BlasThreads.apply());
        String preset = args.length > 0 ? args[0] : "small";
        Path tokFile = Path.of(args.length > 1 ? args[1] : "mlsm-runs/tokenizer/tokenizer.json");
        Path blimp = Path.of(args.length > 2 ? args[2] : "../shared/data/blimp_filtered");
        Path supplement = args.length > 3 && !args[3].equals("-") ? Path.of(args[3]) : null;
        int pairsPerFile = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int chunk = args.length > 5 ? Integer.parseInt(args[5]) : 2000;
        int profileRows = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        Tokenizer tok = UnigramTokenizer.load(tokFile);
        DebertaConfig base = PretrainExample.Size.named(preset).config();
        DebertaModel model = DebertaModel.initialize(base.withVocabSize(tok.vocabSize())
                .withPadTokenId(tok.specials().pad()), 1L);
        EvalLimit limit = pairsPerFile == 0 ? EvalLimit.all() : EvalLimit.firstN(pairsPerFile);
        List<MinimalPair> pairs = new ArrayList<>(BlimpReader.readBlimp(blimp, limit));
        if (supplement != null) {
            pairs.addAll(BlimpReader.readSupplement(supplement, limit));
        }
        System.out.printf(Locale.ROOT, "%s (V=%d): %d pairs, RSS at start %d MiB%n", preset, tok.vocabSize(),
                pairs.size(), rssMiB("VmRSS"));
        BlimpEvaluator evaluator = new BlimpEvaluator(tok, Evaluations.scorer(model, tok, ScoringHead.MLM),
                PllOptions.defaults());
        long t0 = System.nanoTime();
        OpTimes times = null;
        long profiledNanos = 0;
        for (int from = 0; from < pairs.size(); from += chunk) {
            List<MinimalPair> part = pairs.subList(from, Math.min(pairs.size(), from + chunk));
            if (profileRows > 0 && from > 0 && times == null) {
                times = OpTimes.start();               // after the first chunk: graphs built, buffers pooled
            }
            long c0 = System.nanoTime();
            evaluator.evaluate(part, p -> { });
            if (times != null) {
                profiledNanos += System.nanoTime() - c0;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%6d pairs  %7.1f s  %6.1f pairs/s  RSS %5d MiB  peak %5d MiB  load %s%n",
                    from + part.size(), s, (from + part.size()) / s, rssMiB("VmRSS"), rssMiB("VmHWM"), load());
        }
        if (times != null) {
            OpTimes.stop();
            System.out.printf(Locale.ROOT, "%nper-op times after the first chunk (%d forward passes in all):%n",
                    evaluator.pll().forwardPasses());
            System.out.print(times.table(1, profiledNanos, profileRows));
            System.out.println();
            System.out.print(times.instanceTable(1, profileRows));
        }
    }

    static long rssMiB(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
