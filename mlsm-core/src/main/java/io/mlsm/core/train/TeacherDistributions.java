package io.mlsm.core.train;

import io.mlsm.core.data.Batch;
import io.mlsm.models.DebertaModel;
import io.mlsm.models.Flops;
import io.mlsm.models.TrainingBatch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/**
 * KD targets: the teacher's vocabulary distribution (temperature 1) at each target position, computed on the
 * <em>unmasked</em> input.
 *
 * <pre>{@code
 * Trainer t = new Trainer(..., TrainingObjective.kdPlusMlm(1.0), new TeacherDistributions(teacher), ...);
 * }</pre>
 */
public final class TeacherDistributions implements TargetSource {

    private final DebertaModel teacher;
    private final FlopCount spent = new FlopCount();

    /**
     * @param teacher a model with the student's vocabulary
     */
    public TeacherDistributions(DebertaModel teacher) {
        this.teacher = teacher;
    }

    @Override
    public TrainingBatch attach(Batch batch, TrainingBatch base) {
        int[] positions = TargetPositions.of(batch);
        if (positions.length == 0) {
            return base;
        }
        int v = teacher.config().vocabSize();
        INDArray logits = teacher.forward(batch.originalIdsArray(DataType.INT32), base.attentionMask())
                .logits().reshape((long) batch.batchSize() * batch.length(), v);           // [B*T, V]
        INDArray rows = Nd4j.pullRows(logits, 1, positions);                              // [N, V]
        spent.teacherPass(teacher, batch);
        spent.add(FlopCount.TEACHER_FORWARD, Flops.mlmHead(teacher.config(),
                (long) batch.batchSize() * batch.length()));                    // the logits of every position
        return base.withTeacherProbs(Transforms.softmax(rows, false).castTo(teacher.dataType()));
    }

    @Override
    public Map<String, Double> flops() {
        return spent.snapshot();
    }
}
