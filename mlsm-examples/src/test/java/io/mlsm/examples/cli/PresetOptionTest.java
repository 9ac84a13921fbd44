package io.mlsm.examples.cli;

import io.mlsm.core.pretrain.Objective;
import io.mlsm.core.pretrain.PaperPreset;
import io.mlsm.examples.PretrainExample;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pretrain --preset}: unset options take the preset's values, explicit ones win. Parses only, trains nothing. */
class PresetOptionTest {

    private static PretrainExample.Options parse(String... args) {
        CommandLine cl = MlsmCli.commandLine();
        CommandLine.ParseResult r = cl.parseArgs(args);
        MlsmCli.Pretrain cmd = (MlsmCli.Pretrain) r.subcommand().commandSpec().userObject();
        return cmd.resolvedOptions();
    }

    @Test
    void presetSetsTheUnsetOptions() {
        PretrainExample.Options o = parse("pretrain", "--preset", "babylm-2024-strict-small");
        assertSame(PaperPreset.BABYLM_2024_STRICT_SMALL, o.preset());
        assertSame(Objective.MLSM, o.objective());
        assertEquals(1e-4, o.learningRate());
        assertEquals(10_000, o.steps());
        assertEquals(100_000, o.teacherSteps());
        assertEquals(1500, o.atoms());
        assertEquals(10_000, o.headSteps());
        assertEquals(25_000, o.vocabSize());
        assertEquals(128, o.maxLength());
        assertSame(PretrainExample.Size.BASE, o.size());
        assertEquals(32, o.batchSize());
    }

    @Test
    void explicitOptionsWinOverThePreset() {
        PretrainExample.Options o = parse("pretrain", "--preset", "BABYLM_2023_STRICT", "--lr", "3e-4", "--steps",
                "7", "--atoms", "64", "--size", "TINY", "--batch", "128");
        assertEquals(3e-4, o.learningRate());
        assertEquals(7, o.steps());
        assertEquals(64, o.atoms());
        assertSame(PretrainExample.Size.TINY, o.size());
        assertEquals(128, o.batchSize());
        assertEquals(20_000, o.teacherSteps(), "not given: the preset's");
        assertEquals(0, o.headSteps(), "2023: two phases");
        assertSame(Objective.MLSM_PLUS_MLM, o.objective());
    }

    @Test
    void helpNamesThePresets() {
        String usage = MlsmCli.commandLine().getSubcommands().get("pretrain").getUsageMessage();
        for (PaperPreset p : PaperPreset.values()) {
            assertTrue(usage.contains(p.name()), p.name());
        }
        assertTrue(usage.contains("warm-up 1%,"), usage);
    }

    @Test
    void withoutPresetTheDefaultsStayAndBadInputIsAUsageError() {
        PretrainExample.Options o = parse("pretrain");
        assertNull(o.preset());
        assertEquals(5e-4, o.learningRate());
        assertEquals(500, o.steps());
        assertThrows(CommandLine.ParameterException.class, () -> parse("pretrain", "--preset", "nope"));
        assertThrows(CommandLine.ParameterException.class,
                () -> parse("pretrain", "--preset", "BABYLM_2024_STRICT", "--batch", "48"));
    }
}
