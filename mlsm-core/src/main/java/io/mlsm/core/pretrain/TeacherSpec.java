package io.mlsm.core.pretrain;

import io.mlsm.core.train.TrainingOptions;
import io.mlsm.models.DebertaConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where phase 1's teacher comes from: pre-trained here with MLM, or loaded from a model directory (a Hugging Face
 * DeBERTa directory, one exported by this library, or a released MLSM checkpoint whose {@code vocab_size} is
 * {@code V + k}: its {@code k} is {@link #concepts(int)} when given (a config key of ours that says otherwise is
 * rejected), else our config key, else {@code vocab_size} minus the tokenizer's size, said at WARN).
 *
 * <pre>{@code
 * TeacherSpec t = TeacherSpec.pretrainMlm(DebertaConfig.small()).steps(2_000).learningRate(5e-4);
 * TeacherSpec l = TeacherSpec.load(Path.of("runs/teacher"));
 * TeacherSpec r = TeacherSpec.load(Path.of("deberta-mlsm-released")).concepts(2500);   // vocab_size = V + 2500
 * }</pre>
 */
public final class TeacherSpec {

    private final DebertaConfig architecture;
    private final Path directory;
    private final TrainingOptions.Builder training;
    private int concepts = -1;

    private TeacherSpec(DebertaConfig architecture, Path directory) {
        this.architecture = architecture;
        this.directory = directory;
        this.training = TrainingOptions.builder();
    }

    /**
     * @param architecture the teacher's architecture (its vocabulary size is replaced by the tokenizer's)
     * @return a spec that pre-trains a teacher with MLM
     */
    public static TeacherSpec pretrainMlm(DebertaConfig architecture) {
        return new TeacherSpec(Objects.requireNonNull(architecture, "architecture"), null);
    }

    /**
     * @param directory a model directory with {@code config.json} and {@code model.safetensors}
     * @return a spec that loads a teacher
     * @throws IllegalArgumentException when the directory or its files are missing
     */
    public static TeacherSpec load(Path directory) {
        Objects.requireNonNull(directory, "directory");
        for (String f : new String[]{"config.json", "model.safetensors"}) {
            if (!Files.isRegularFile(directory.resolve(f))) {
                throw new IllegalArgumentException("teacher directory " + directory + " has no " + f);
            }
        }
        return new TeacherSpec(null, directory);
    }

    /** @param steps optimiser steps of teacher pre-training @return this */
    public TeacherSpec steps(long steps) {
        training.steps(steps);
        return this;
    }

    /** @param lr peak learning rate @return this */
    public TeacherSpec learningRate(double lr) {
        training.learningRate(lr);
        return this;
    }

    /** @param micro micro-batches per step @return this */
    public TeacherSpec accumulation(int micro) {
        training.accumulation(micro);
        return this;
    }

    /** @param fraction warm-up fraction of the steps @return this */
    public TeacherSpec warmupFraction(double fraction) {
        training.warmupFraction(fraction);
        return this;
    }

    /** @param wd decoupled weight decay, {@code >= 0} @return this */
    public TeacherSpec weightDecay(double wd) {
        training.weightDecay(wd);
        return this;
    }

    /** @param norm global gradient-norm clip, 0 = off @return this */
    public TeacherSpec clipNorm(double norm) {
        training.clipNorm(norm);
        return this;
    }

    /** @param eps AdamW's ε, {@code > 0} @return this */
    public TeacherSpec adamEpsilon(double eps) {
        training.adamEpsilon(eps);
        return this;
    }

    /** @param all weight decay on every parameter ({@code true}) or not on biases / LayerNorm weights @return this */
    public TeacherSpec decayAllParameters(boolean all) {
        training.decayAllParameters(all);
        return this;
    }

    /**
     * The latent concepts {@code k} of a loaded teacher in the released {@code V + k} layout whose config has no key
     * of ours; the default -1 takes {@code k} from the config, else {@code vocab_size − tokenizer size}.
     *
     * @param k {@code k >= 0}, or -1
     * @return this
     * @throws IllegalArgumentException when {@code k < -1} or the teacher is trained here
     */
    public TeacherSpec concepts(int k) {
        if (k < -1) {
            throw new IllegalArgumentException("teacher concepts must be >= 0, or -1 for inferred, got " + k);
        }
        if (directory == null) {
            throw new IllegalArgumentException("teacher concepts apply to a loaded teacher; this one is trained here");
        }
        concepts = k;
        return this;
    }

    /** @return {@code k} of a loaded released teacher, or -1 for "from the config, else inferred" */
    public int concepts() {
        return concepts;
    }

    /** @return the teacher's training options as configured (the seed is set at fit time) */
    public TrainingOptions trainingOptions() {
        return training.build();
    }

    /** @return whether the teacher is loaded rather than trained */
    public boolean isLoaded() {
        return directory != null;
    }

    /** @return the directory to load from, or null */
    public Path directory() {
        return directory;
    }

    /** @return the architecture to train, or null for a loaded teacher */
    public DebertaConfig architecture() {
        return architecture;
    }

    TrainingOptions.Builder training() {
        return training;
    }
}
