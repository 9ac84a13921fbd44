package io.mlsm.core.pretrain;

import io.mlsm.core.train.TargetSource;
import io.mlsm.models.DebertaModel;
import io.mlsm.sparse.Dictionary;

import java.io.IOException;

/**
 * What {@link Pretraining} hands an {@link Objective} when phase 2 starts, so the objective can make the
 * {@link TargetSource} its loss terms read: the teacher, the dictionary, and the two built-in sources made the way the
 * run's settings say (layer, λ and solver of the {@link DictionarySpec}; the target cache when
 * {@link Pretraining.Builder#cacheTargets(int)} is on).
 *
 * <pre>{@code
 * Objective.builder("MLSM_T2").needsTeacher().needsDictionary()
 *         .targets(TargetContext::conceptTargets)          // the MLSM targets, cached or on the fly
 *         ...
 * }</pre>
 */
public interface TargetContext {

    /** @return the frozen teacher, or null when the objective needs none */
    DebertaModel teacher();

    /** @return the dictionary of latent concepts, or null when the objective needs none */
    Dictionary dictionary();

    /**
     * @return latent-concept distributions of the teacher's hidden states ({@link io.mlsm.models.loss.Targets#CONCEPTS})
     * @throws IllegalStateException when the objective did not declare that it needs a teacher and a dictionary
     * @throws IOException           when the target cache cannot be read or written
     */
    TargetSource conceptTargets() throws IOException;

    /**
     * @return the teacher's vocabulary distributions ({@link io.mlsm.models.loss.Targets#TEACHER_PROBS})
     * @throws IllegalStateException when the objective did not declare that it needs a teacher
     */
    TargetSource teacherDistributions();
}
