package io.mlsm.examples.cli;

import java.util.List;

/** The sub-commands the CLI must offer. */
final class MlsmCliCommands {
    static final List<String> ALL = List.of("quickstart", "train-tokenizer", "pretrain", "learn-dictionary",
            "layer-sweep", "reproduce", "eval-blimp", "eval-ewok", "finetune-glue", "fill-mask", "sparse-demo");

    private MlsmCliCommands() {
    }
}
