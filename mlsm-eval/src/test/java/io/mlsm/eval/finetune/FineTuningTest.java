package io.mlsm.eval.finetune;

import io.mlsm.eval.FakeWordTokenizer;
import io.mlsm.eval.data.GlueExample;
import io.mlsm.eval.data.GlueMetric;
import io.mlsm.eval.data.GlueTask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class FineTuningTest {

    /** Multinomial logistic regression on bag-of-ids features, plain SGD: a stand-in for DeBERTa + head. */
    public static final class BagOfIdsClassifier implements TrainableClassifier {
        final double[][] w;
        final List<Double> learningRates = new ArrayList<>();

        public BagOfIdsClassifier(int labels, int vocab, long seed) {
            Random r = new Random(seed);
            w = new double[labels][vocab];
            for (double[] row : w) {
                for (int v = 0; v < vocab; v++) {
                    row[v] = 0.01 * r.nextGaussian();
                }
            }
        }

        double[] probs(int[] ids, int[] mask) {
            double[] z = new double[w.length];
            for (int k = 0; k < w.length; k++) {
                for (int t = 0; t < ids.length; t++) {
                    z[k] += mask[t] * w[k][ids[t]];
                }
            }
            double max = Arrays.stream(z).max().orElseThrow();
            double s = 0;
            for (int k = 0; k < z.length; k++) {
                z[k] = Math.exp(z[k] - max);
                s += z[k];
            }
            for (int k = 0; k < z.length; k++) {
                z[k] /= s;
            }
            return z;
        }

        @Override
        public double trainStep(int[][] ids, int[][] mask, int[] labels, double lr) {
            learningRates.add(lr);
            double loss = 0;
            double[][] grad = new double[w.length][w[0].length];
            for (int b = 0; b < ids.length; b++) {
                double[] p = probs(ids[b], mask[b]);
                loss -= Math.log(p[labels[b]]);
                for (int k = 0; k < w.length; k++) {
                    double g = p[k] - (k == labels[b] ? 1 : 0);
                    for (int t = 0; t < ids[b].length; t++) {
                        grad[k][ids[b][t]] += mask[b][t] * g / ids.length;
                    }
                }
            }
            for (int k = 0; k < w.length; k++) {
                for (int v = 0; v < w[k].length; v++) {
                    w[k][v] -= lr * grad[k][v];
                }
            }
            return loss / ids.length;
        }

        @Override
        public int[] predict(int[][] ids, int[][] mask) {
            int[] out = new int[ids.length];
            for (int b = 0; b < ids.length; b++) {
                double[] p = probs(ids[b], mask[b]);
                for (int k = 1; k < p.length; k++) {
                    if (p[k] > p[out[b]]) {
                        out[b] = k;
                    }
                }
            }
            return out;
        }

        @Override
        public Object saveState() {
            return Arrays.stream(w).map(double[]::clone).toArray(double[][]::new);
        }

        @Override
        public void loadState(Object state) {
            double[][] s = (double[][]) state;
            for (int k = 0; k < w.length; k++) {
                System.arraycopy(s[k], 0, w[k], 0, w[k].length);
            }
        }
    }

    /** Label 1 iff the text contains "good" (else it contains "bad"), among random filler words. */
    public static List<GlueExample> planted(Random r, int n) {
        String[] filler = {"the", "a", "film", "was", "plot", "cast", "long", "it", "very", "so"};
        List<GlueExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2);
            List<String> words = new ArrayList<>();
            for (int k = 0; k < 3 + r.nextInt(4); k++) {
                words.add(filler[r.nextInt(filler.length)]);
            }
            words.add(r.nextInt(words.size() + 1), label == 1 ? "good" : "bad");
            out.add(new GlueExample(String.join(" ", words), r.nextBoolean() ? "second text" : null, label, "t" + i));
        }
        return out;
    }

    @Test
    void recoversAPlantedRuleForEverySeedAndAverages() {
        FakeWordTokenizer tok = new FakeWordTokenizer(64);
        Random r = new Random(1);
        List<GlueExample> train = planted(r, 160);
        List<GlueExample> valid = planted(r, 40);
        FineTuneConfig cfg = FineTuneConfig.defaults().withLearningRate(2.0).withEpochs(4).withBatchSize(16)
                .withEvalEvery(5, 0).withSeeds(List.of(12L, 13L, 14L));
        List<BagOfIdsClassifier> made = new ArrayList<>();
        FineTuning ft = new FineTuning(tok, (labels, seed) -> {
            BagOfIdsClassifier c = new BagOfIdsClassifier(labels, 64, seed);
            made.add(c);
            return c;
        }, cfg, null);
        FineTuneResult res = ft.run(GlueTask.SST2, train, valid);
        assertEquals(3, res.runs().size());
        for (SeedRun run : res.runs()) {
            assertEquals(1.0, run.score(), "seed " + run.seed());
            assertEquals(40, run.steps());
            assertFalse(run.stoppedEarly());
        }
        assertEquals(1.0, res.mean());
        assertEquals(GlueMetric.ACCURACY, res.metric());
        // the schedule reached the model step by step
        List<Double> lrs = made.get(0).learningRates;
        assertEquals(40, lrs.size());
        for (int s = 0; s < lrs.size(); s++) {
            assertEquals(cfg.learningRateAt(s, 40), lrs.get(s), 0.0);
        }
        // same seeds, same runs
        FineTuneResult again = new FineTuning(tok, (labels, seed) -> new BagOfIdsClassifier(labels, 64, seed), cfg,
                null).run("sst", 2, GlueMetric.F1, train, valid);
        assertEquals(1.0, again.mean());
        assertEquals(res.runs().stream().map(SeedRun::bestStep).toList(),
                again.runs().stream().map(SeedRun::bestStep).toList());
    }

    @Test
    void linearScheduleWithWarmupMatchesHandValues() {
        FineTuneConfig c = FineTuneConfig.defaults().withLearningRate(1.0).withWarmupFraction(0.2);
        assertEquals(0.0, c.learningRateAt(0, 10));
        assertEquals(0.5, c.learningRateAt(1, 10));
        assertEquals(1.0, c.learningRateAt(2, 10));
        assertEquals(0.5, c.learningRateAt(6, 10));
        assertEquals(0.125, c.learningRateAt(9, 10));
        FineTuneConfig noWarm = FineTuneConfig.defaults().withLearningRate(1.0);
        assertEquals(1.0, noWarm.learningRateAt(0, 10));
        assertEquals(0.5, noWarm.learningRateAt(5, 10));
    }

    /** Predicts class 1 while it has taken at most 4 steps, class 0 afterwards; its state is its step count. */
    static class SouringClassifier implements TrainableClassifier {
        int steps;
        final List<Integer> loaded = new ArrayList<>();

        @Override
        public double trainStep(int[][] ids, int[][] mask, int[] labels, double lr) {
            steps++;
            return 0.1;
        }

        @Override
        public int[] predict(int[][] ids, int[][] mask) {
            int[] out = new int[ids.length];
            Arrays.fill(out, steps <= 4 ? 1 : 0);
            return out;
        }

        @Override
        public Object saveState() {
            return steps;
        }

        @Override
        public void loadState(Object state) {
            steps = (Integer) state;
            loaded.add(steps);
        }
    }

    @Test
    void earlyStoppingKeepsAndRestoresTheBestState() {
        FakeWordTokenizer tok = new FakeWordTokenizer(64);
        List<GlueExample> data = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            data.add(new GlueExample("word " + i, null, 1, "t" + i));
        }
        SouringClassifier model = new SouringClassifier();
        FineTuneConfig cfg = FineTuneConfig.defaults().withBatchSize(1).withEpochs(3).withEvalEvery(2, 2)
                .withSeeds(List.of(5L));
        FineTuneResult res = new FineTuning(tok, (l, s) -> model, cfg, null).run(GlueTask.RTE, data, data);
        SeedRun run = res.runs().get(0);
        // validations: step 2 -> 1.0 (best), step 4 -> 1.0 (no gain > 0.001), step 6 -> 0.0: patience 2 spent
        assertEquals(6, run.steps());
        assertEquals(2, run.bestStep());
        assertTrue(run.stoppedEarly());
        assertEquals(1.0, run.score());
        assertEquals(List.of(2), model.loaded);
    }

    @Test
    void resultStatisticsAndBadInputs() {
        FineTuneResult r = new FineTuneResult("t", GlueMetric.ACCURACY, List.of(new SeedRun(1, 0.5, 1, 1, false),
                new SeedRun(2, 0.7, 1, 1, false), new SeedRun(3, 0.9, 1, 1, false)));
        assertEquals(0.7, r.mean(), 1e-15);
        assertEquals(0.2, r.std(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.defaults().withLearningRate(0));
        assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.defaults().withSeeds(List.of()));
        assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.defaults().withWarmupFraction(1.0));

        FakeWordTokenizer tok = new FakeWordTokenizer(64);
        List<GlueExample> three = List.of(new GlueExample("a", null, 2, "f:1"));
        FineTuning ft = new FineTuning(tok, (l, s) -> new BagOfIdsClassifier(l, 64, s), FineTuneConfig.defaults(),
                null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ft.run(GlueTask.RTE, three, three));
        assertTrue(e.getMessage().contains("f:1") && e.getMessage().contains("label 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ft.run(GlueTask.RTE, List.of(), three));

        TrainableClassifier nan = new SouringClassifier() {
            @Override
            public double trainStep(int[][] ids, int[][] mask, int[] labels, double lr) {
                return Double.NaN;
            }
        };
        List<GlueExample> one = List.of(new GlueExample("a", null, 1, "f:1"));
        IllegalStateException diverged = assertThrows(IllegalStateException.class,
                () -> new FineTuning(tok, (l, s) -> nan, FineTuneConfig.defaults(), null).run(GlueTask.RTE, one, one));
        assertTrue(diverged.getMessage().contains("NaN"), diverged.getMessage());
        assertNotEquals(0, FineTuneConfig.defaults().seeds().size());
    }
}
