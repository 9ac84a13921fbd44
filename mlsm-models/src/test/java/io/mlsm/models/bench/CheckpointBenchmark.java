package io.mlsm.models.bench;

import io.mlsm.models.DebertaConfig;
import io.mlsm.models.io.HfDebertaDirectory;
import io.mlsm.models.io.HfParameterLayout;
import io.mlsm.runtime.Provenance;
import io.mlsm.models.io.Safetensors;
import io.mlsm.models.io.TrainerState;
import io.mlsm.models.io.TrainingCheckpoint;
import io.mlsm.models.optim.AdamW;
import io.mlsm.models.optim.GradientClipping;
import io.mlsm.runtime.AtomicFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Speed of the checkpoint path on a DeBERTa-base-sized parameter set (about 120M float32 parameters): safetensors
 * write/read, HF directory export/load, full training checkpoint write/read (with SHA-256), one AdamW update, global
 * norm clipping. Run (benchmarks use the library's own OpenBLAS choice):
 * <pre>
 * env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE java -Xmx8g -cp ... io.mlsm.models.bench.CheckpointBenchmark [tiny|small|base]
 * (classpath: see docs/checkpoints.md)
 * </pre>
 */
public final class CheckpointBenchmark {

    private CheckpointBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String preset = args.length > 0 ? args[0] : "base";
        DebertaConfig c = switch (preset) {
            case "tiny" -> DebertaConfig.tiny();
            case "small" -> DebertaConfig.small();
            default -> DebertaConfig.base();
        };
        Map<String, INDArray> params = new LinkedHashMap<>();
        Nd4j.getRandom().setSeed(1);
        HfParameterLayout.shapes(c).forEach((k, s) -> params.put(k, Nd4j.randn(DataType.FLOAT, s).muli(0.02)));
        long n = params.values().stream().mapToLong(INDArray::length).sum();
        double mb = n * 4 / 1e6;
        System.out.printf("preset %s: %d parameters (%.1f MB float32)%n", preset, n, mb);
        Path dir = Files.createTempDirectory("mlsm-bench");
        try {
            for (int rep = 0; rep < 2; rep++) {
                long t = System.nanoTime();
                Safetensors.write(dir.resolve("w.safetensors"), params);
                double w = sec(t);
                t = System.nanoTime();
                Map<String, INDArray> back = Safetensors.read(dir.resolve("w.safetensors"));
                double r = sec(t);
                System.out.printf("safetensors write %.2f s (%.0f MB/s), read %.2f s (%.0f MB/s), %d tensors%n", w,
                        mb / w, r, mb / r, back.size());
                t = System.nanoTime();
                HfDebertaDirectory.export(dir.resolve("hf"), c, params);
                double e = sec(t);
                t = System.nanoTime();
                HfDebertaDirectory.load(dir.resolve("hf"));
                System.out.printf("HF export %.2f s, HF load (validated) %.2f s%n", e, sec(t));
            }
            Map<String, INDArray> grads = new LinkedHashMap<>();
            params.forEach((k, v) -> grads.put(k, Nd4j.randn(DataType.FLOAT, v.shape()).muli(1e-3)));
            AdamW opt = new AdamW(AdamW.Options.defaults());
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                opt.step(params, grads, 1e-4);
                double a = sec(t);
                t = System.nanoTime();
                double norm = GradientClipping.clipGlobalNorm(grads, 1e9);
                System.out.printf("AdamW step %.2f s; global norm %.2f s (norm %.3f)%n", a, sec(t), norm);
            }
            TrainingCheckpoint cp = new TrainingCheckpoint(c, params, opt.stateTensors(), opt.stateMetadata(),
                    new TrainerState(3, 1, 0, 0, Map.of(), List.of(), null, null, Map.of()),
                    Provenance.builder("benchmark").build());
            for (int rep = 0; rep < 2; rep++) {
                long t = System.nanoTime();
                cp.write(dir.resolve("cp"));
                double w = sec(t);
                t = System.nanoTime();
                TrainingCheckpoint.read(dir.resolve("cp"));
                System.out.printf("checkpoint (%.0f MB) write %.2f s, read+verify %.2f s%n", mb * 3, w, sec(t));
            }
        } finally {
            AtomicFiles.deleteRecursively(dir);
        }
    }

    private static double sec(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
