package io.mlsm.examples.cli;

import io.mlsm.core.pretrain.Checkpointing;
import io.mlsm.core.pretrain.Pretraining;
import picocli.CommandLine.Option;

/**
 * {@code --checkpoint-every N}, {@code --checkpoint-minutes M}, {@code --keep-checkpoints K}, {@code --overwrite}:
 * how a training command protects its work. By default every phase writes a resumable checkpoint every 100 steps or
 * 10 minutes, whichever comes first, and keeps the newest two; rerunning the same command resumes.
 *
 * <pre>{@code
 * @Mixin CheckpointOptions checkpoints;
 * ... .checkpointing(checkpoints.value())
 * }</pre>
 */
final class CheckpointOptions {

    @Option(names = "--checkpoint-every", paramLabel = "N",
            defaultValue = "" + Pretraining.DEFAULT_CHECKPOINT_EVERY,
            description = "write a resumable checkpoint every N steps of each phase, 0 = not by steps "
                    + "(default: ${DEFAULT-VALUE})")
    long every;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", defaultValue = "10",
            description = "also write one after M minutes of wall time since the last, 0 = not by time "
                    + "(default: ${DEFAULT-VALUE})")
    double minutes;

    @Option(names = "--keep-checkpoints", paramLabel = "K", defaultValue = "2",
            description = "newest periodic checkpoints kept per phase (default: ${DEFAULT-VALUE})")
    int keep;

    @Option(names = "--overwrite",
            description = "delete what an earlier run left in the output directory and start over (default: reuse "
                    + "finished phases trained with the same settings and resume an interrupted one)")
    boolean overwrite;

    /** @return the settings; invalid values raise IllegalArgumentException naming them */
    Checkpointing value() {
        return new Checkpointing(every, minutes, keep, overwrite);
    }
}
