package io.mlsm.spark;

import io.mlsm.eval.EvalLimit;
import io.mlsm.eval.model.Evaluations;
import io.mlsm.eval.pll.Normaliser;
import io.mlsm.eval.sweep.SweepResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark zero-shot sweep against {@link Evaluations#zeroShotSweep} over the same two checkpoints, every BLiMP
 * paradigm, the supplement and EWoK (five items each, so several
 * scoring chunks per checkpoint): equal tables and CSV, with two tasks failing once.
 */
class SparkEvaluationTest {

    static SparkFixture fx;
    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixture() throws IOException {
        fx = SparkFixture.get();
        data = Path.of(System.getProperty("mlsm.shared.dir", "../../shared")).resolve("data");
    }

    @Test
    void equalsTheSingleProcessSweep() throws IOException {
        List<Path> dirs = List.of(fx.runDir.resolve("checkpoint-10"), fx.runDir.resolve("checkpoint-20"));
        Evaluations.Settings settings = Evaluations.Settings.defaults().withNormaliser(Normaliser.VOCABULARY);
        EvalLimit limit = EvalLimit.firstN(5);
        Map<String, List<Path>> runs = new LinkedHashMap<>();
        runs.put("tiny", dirs);
        Path single = tmp.resolve("single");
        SweepResult a = Evaluations.zeroShotSweep(runs, fx.tokenizer, data, limit, settings, single, "zs");
        Path spark = tmp.resolve("spark");
        SweepResult b = SparkEvaluation.builder().run("tiny", dirs).tokenizer(fx.tokenizerFile).data(data)
                .limit(limit).settings(settings).output(spark, "zs").faults(new TaskFaults(Set.of(1, 4), Set.of()))
                .build().run(SparkFixture.spark());
        assertEquals(a.columns(), b.columns());
        assertTrue(a.table().rows().size() > 15 && a.table().rows().containsAll(List.of("Average", "BLiMP",
                "BLiMP supplement", "EWoK")), "every phenomenon, the averages and EWoK: " + a.table().rows());
        assertEquals(Files.readString(single.resolve("zs.md")), Files.readString(spark.resolve("zs.md")));
        assertEquals(Files.readString(single.resolve("zs.csv")), Files.readString(spark.resolve("zs.csv")));
        assertTrue(Files.exists(spark.resolve("zs.png")) && Files.exists(spark.resolve("zs.provenance.json")));
    }
}
