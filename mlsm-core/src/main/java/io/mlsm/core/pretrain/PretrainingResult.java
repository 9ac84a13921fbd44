package io.mlsm.core.pretrain;

import io.mlsm.core.train.TrainingResult;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Pretraining#fit()} produced: the artifacts' directories and files, and the loss curve of every phase
 * trained in this process (a phase whose artifact already existed is loaded, not retrained, and has no curve).
 *
 * @param outputDir  the run's directory
 * @param tokenizer  {@code tokenizer.json}
 * @param teacher    teacher model directory (Hugging Face layout), or null when the objective needs none
 * @param dictionary dictionary file, or null when the objective needs none
 * @param student    student model directory (Hugging Face layout; V+k rows when it has latent concepts)
 * @param head       phase-3 model directory, or null for a two-phase run
 * @param phases     training results by phase name ({@code teacher}, {@code student}, {@code head})
 */
public record PretrainingResult(Path outputDir, Path tokenizer, Path teacher, Path dictionary, Path student,
                                Path head, Map<String, TrainingResult> phases) {

    public PretrainingResult {
        phases = Map.copyOf(phases);
    }

    /**
     * @return the analytic operations each phase spent, by phase ({@code teacher}, {@code dictionary},
     * {@code student}, {@code head}) and component ({@code step}, {@code teacher_forward}, {@code sparse_coding}), as
     * recorded in {@code metrics/flops.json}; phases reused from an earlier run keep the counts of the run that
     * produced them, and phases given by the user (a loaded teacher or dictionary) have none
     * @throws java.io.IOException when the file exists but cannot be read
     */
    public Map<String, Map<String, Double>> flops() throws java.io.IOException {
        return FlopLedger.read(outputDir.resolve("metrics"));
    }

    /** @return the training result of a phase run in this process */
    public Optional<TrainingResult> phase(String name) {
        return Optional.ofNullable(phases.get(name));
    }
}
