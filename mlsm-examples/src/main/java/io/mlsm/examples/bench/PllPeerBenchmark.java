package io.mlsm.examples.bench;

import io.mlsm.models.runtime.BlasThreads;
import io.mlsm.core.tokenizer.Tokenizer;
import io.mlsm.core.tokenizer.UnigramTokenizer;
import io.mlsm.eval.Accuracy;
import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.data.BlimpReader;
import io.mlsm.eval.data.MinimalPair;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.model.ScoringHead;
import io.mlsm.eval.pll.BlimpEvaluator;
import io.mlsm.eval.pll.BlimpResult;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.pll.PllOptions;
import io.mlsm.examples.PretrainExample;
import io.mlsm.models.DebertaConfig;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.runtime.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (not a test): BLiMP pseudo-log-likelihood scoring against the peer {@code ../shared/peers/pll_ref.py}
 * (Hugging Face {@code DebertaForMaskedLM} in torch, its own Unigram tokenizer) on the same model directory and the
 * same pairs (the first N of each filtered BLiMP file), in one run, alternating. Each round starts the peer as a
 * child process, then scores the pairs here with a model freshly loaded from the same directory (graphs built in
 * the round, as in a real {@code eval-blimp}); on both sides the time excludes loading the model and includes
 * tokenization and the first forward passes. Printed: every round, the median pairs/s of each side, their ratio,
 * the load average, and on how many paradigms the two agree per normaliser.
 *
 * <p>The model is either a directory ({@code -m DIR}: any Hugging Face DeBERTa directory, e.g. a trained student)
 * or a preset's architecture with random weights exported to a temporary directory (speed does not depend on the
 * weights, but agreement does: a random model's PLL gaps are about float32 rounding, so its per-paradigm agreement
 * says nothing; use a trained model for that).
 *
 * <pre>
 * scripts/bench io.mlsm.examples.bench.PllPeerBenchmark small runs/tok/tokenizer.json ../shared/data/blimp_filtered 10 2
 *     # preset|DIR tokenizer blimp pairs-per-file rounds [concepts k, for a preset only]
 * </pre>
 *
 * The peer needs {@code /usr/bin/python3} with torch and numpy ({@code ../shared/peers/README.md}).
 */
public final class PllPeerBenchmark {

    private static final Pattern PEER_SUMMARY = Pattern.compile(
            "mean over paradigms: V-only ([0-9.]+)\\s+V\\+k ([0-9.]+)\\s+pairs (\\d+)\\s+([0-9.]+) s\\s+([0-9.]+) pairs/s");
    private static final Pattern PEER_ROW = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+V-only ([0-9.]+)\\s+V\\+k ([0-9.]+)$");

    private PllPeerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("BLAS threads: " + BlasThreads.apply());
        String modelArg = args.length > 0 ? args[0] : "small";
        Path tokFile = Path.of(args.length > 1 ? args[1] : "mlsm-runs/tokenizer/tokenizer.json");
        Path blimp = Path.of(args.length > 2 ? args[2] : "../shared/data/blimp_filtered");
        int pairsPerFile = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        int concepts = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        Path shared = blimp.toAbsolutePath().getParent().getParent();
        Path peer = shared.resolve("peers/pll_ref.py");
        if (!Files.isRegularFile(peer)) {
            throw new IOException("peer script not found: " + peer + " (expected ../shared/peers/pll_ref.py beside "
                    + "the BLiMP folder's data/ parent)");
        }
        Tokenizer tok = UnigramTokenizer.load(tokFile);
        Path modelDir;
        Path temp = null;
        if (Files.isDirectory(Path.of(modelArg))) {
            modelDir = Path.of(modelArg);
        } else {
            DebertaConfig config = PretrainExample.Size.named(modelArg).config().withVocabSize(tok.vocabSize())
                    .withPadTokenId(tok.specials().pad()).withLatentConcepts(concepts);
            DebertaModel random = DebertaModel.initialize(config, 1L);
            temp = Files.createTempDirectory("pll-peer-");
            modelDir = temp.resolve("model");
            HfDebertaDirectory.export(modelDir, config, random.parameters());
            random.close();
        }
        List<MinimalPair> pairs = BlimpReader.readBlimp(blimp, EvalLimit.firstN(pairsPerFile));
        System.out.printf(Locale.ROOT, "model %s, tokenizer V=%d, %d pairs (%d per file), %d rounds, load %s%n",
                modelArg, tok.vocabSize(), pairs.size(), pairsPerFile, rounds, DebertaPeerBenchmark.loadAverage());
        double[] ours = new double[rounds];
        double[] theirs = new double[rounds];
        PeerRun lastPeer = null;
        Map<Normaliser, BlimpResult> lastOurs = new HashMap<>();
        try {
            for (int r = 0; r < rounds; r++) {
                lastPeer = runPeer(peer, modelDir, tokFile, blimp, pairsPerFile, shared);
                theirs[r] = lastPeer.pairsPerSecond();
                DebertaModel model = HfDebertaDirectory.loadModel(modelDir);
                BlimpEvaluator evaluator = new BlimpEvaluator(tok, Evaluations.scorer(model, tok, ScoringHead.MLM),
                        PllOptions.defaults());
                long t0 = System.nanoTime();
                lastOurs.put(Normaliser.ALL_OUTPUTS, evaluator.evaluate(pairs, p -> { }));
                ours[r] = pairs.size() / ((System.nanoTime() - t0) / 1e9);
                model.close();
                System.out.printf(Locale.ROOT, "round %d: peer %.2f pairs/s, ours %.2f pairs/s (%.2fx), load %s%n",
                        r + 1, theirs[r], ours[r], ours[r] / theirs[r], DebertaPeerBenchmark.loadAverage());
            }
            if (concepts > 0 || HfDebertaDirectory.load(modelDir).config().latentConcepts() > 0) {
                DebertaModel model = HfDebertaDirectory.loadModel(modelDir);
                lastOurs.put(Normaliser.VOCABULARY, new BlimpEvaluator(tok,
                        Evaluations.scorer(model, tok, ScoringHead.MLM),
                        PllOptions.defaults().withNormaliser(Normaliser.VOCABULARY)).evaluate(pairs, p -> { }));
                model.close();
            } else {
                lastOurs.put(Normaliser.VOCABULARY, lastOurs.get(Normaliser.ALL_OUTPUTS));
            }
        } finally {
            if (temp != null) {
                AtomicFiles.deleteRecursively(temp);
            }
        }
        double o = DebertaPeerBenchmark.median(ours);
        double t = DebertaPeerBenchmark.median(theirs);
        System.out.printf(Locale.ROOT, "%nmedian pairs/s: ours %.2f, peer %.2f, ratio %.2fx (load %s)%n", o, t, o / t,
                DebertaPeerBenchmark.loadAverage());
        agreement("ALL_OUTPUTS (peer V+k)", lastOurs.get(Normaliser.ALL_OUTPUTS), lastPeer.vk(), lastPeer.meanVk());
        agreement("VOCABULARY  (peer V-only)", lastOurs.get(Normaliser.VOCABULARY), lastPeer.v(), lastPeer.meanV());
    }

    private static void agreement(String label, BlimpResult ours, Map<String, Double> peer, double peerMean) {
        int same = 0;
        double worst = 0;
        String worstName = "-";
        for (Map.Entry<String, Accuracy> e : ours.byParadigm().entrySet()) {
            Double p = peer.get(e.getKey());
            if (p == null) {
                throw new IllegalStateException("paradigm " + e.getKey() + " is missing from the peer's output");
            }
            double d = Math.abs(e.getValue().value() - p);
            if (d < 1e-9) {
                same++;
            } else if (d > worst) {
                worst = d;
                worstName = e.getKey();
            }
        }
        System.out.printf(Locale.ROOT, "%s: mean over paradigms ours %.4f, peer %.4f; same accuracy on %d / %d "
                        + "paradigms; largest difference %.3f (%s)%n", label, ours.paradigmAverage("blimp"), peerMean,
                same, ours.byParadigm().size(), worst, worstName);
    }

    private record PeerRun(double pairsPerSecond, double meanV, double meanVk, Map<String, Double> v,
                           Map<String, Double> vk) {
    }

    private static PeerRun runPeer(Path script, Path model, Path tok, Path blimp, int pairs, Path shared)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), model.toString(),
                tok.toString(), blimp.toString(), "--pairs", Integer.toString(pairs),
                "--threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().putIfAbsent("HF_SRC", shared.resolve("peers/hf-src").toAbsolutePath().toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Map<String, Double> v = new HashMap<>();
        Map<String, Double> vk = new HashMap<>();
        double pps = Double.NaN;
        double meanV = Double.NaN;
        double meanVk = Double.NaN;
        StringBuilder all = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                all.append(line).append('\n');
                Matcher row = PEER_ROW.matcher(line.trim());
                if (row.matches()) {
                    v.put(row.group(1), Double.parseDouble(row.group(3)));
                    vk.put(row.group(1), Double.parseDouble(row.group(4)));
                }
                Matcher m = PEER_SUMMARY.matcher(line);
                if (m.find()) {
                    meanV = Double.parseDouble(m.group(1));
                    meanVk = Double.parseDouble(m.group(2));
                    pps = Double.parseDouble(m.group(5));
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || Double.isNaN(pps)) {
            throw new IOException("peer " + script + " failed (exit " + rc + "):\n" + all);
        }
        return new PeerRun(pps, meanV, meanVk, v, vk);
    }
}
