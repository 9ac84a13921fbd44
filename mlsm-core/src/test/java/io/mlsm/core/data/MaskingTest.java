package io.mlsm.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlsm.core.tokenizer.SpecialTokens;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskingTest {

    private static final SpecialTokens SP = WordTokenizer.SPECIALS;
    private static final int VOCAB = 1000;

    /** A sequence of {@code len} ids: [CLS] ... [SEP] ... [SEP] with about 1 in 10 content ids an {@code <unk>}. */
    private static int[] sequence(SplittableRandom rng, int len) {
        int[] ids = new int[len];
        for (int i = 0; i < len; i++) {
            ids[i] = rng.nextInt(10) == 0 ? SP.unk() : 5 + rng.nextInt(VOCAB - 5);
        }
        ids[0] = SP.cls();
        ids[len / 2] = SP.sep();
        ids[len - 1] = SP.sep();
        return ids;
    }

    private record Stats(long nonSpecial, long targets, long maskedInputs, long randomInputs, long keptInputs,
                         long changedNonTargets, long specialTargets) {
    }

    private static Stats run(Masking m, int sequences, int len, long seed) {
        SplittableRandom data = new SplittableRandom(seed);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        long nonSpecial = 0;
        long targets = 0;
        long masked = 0;
        long random = 0;
        long kept = 0;
        long changedNonTargets = 0;
        long specialTargets = 0;
        for (int s = 0; s < sequences; s++) {
            int[] ids = sequence(data, len);
            Masking.MaskedSequence out = m.apply(ids, rng, SP, VOCAB);
            int counted = 0;
            for (int i = 0; i < len; i++) {
                boolean special = SP.isSpecial(ids[i]);
                nonSpecial += special ? 0 : 1;
                if (out.labels()[i] == Masking.IGNORE) {
                    changedNonTargets += out.inputIds()[i] != ids[i] ? 1 : 0;
                    continue;
                }
                counted++;
                assertEquals(ids[i], out.labels()[i], "label is the original id");
                specialTargets += special ? 1 : 0;
                int in = out.inputIds()[i];
                if (in == SP.mask()) {
                    masked++;
                } else if (in == ids[i]) {
                    kept++;
                } else {
                    random++;
                    assertTrue(in >= 0 && in < VOCAB && !SP.isSpecial(in), "random replacement " + in);
                }
            }
            assertEquals(counted, out.targetCount());
            targets += counted;
        }
        return new Stats(nonSpecial, targets, masked, random, kept, changedNonTargets, specialTargets);
    }

    @Test
    void mlmSelects15PercentOfNonSpecialTokensAndMasksAllOfThem() {
        Stats s = run(Masking.mlm(), 2000, 128, 1); // about 227k non-special tokens: sd of the rate 0.075%
        double rate = s.targets() / (double) s.nonSpecial();
        assertEquals(0.15, rate, 0.01);
        assertEquals(0, s.specialTargets());
        assertEquals(s.targets(), s.maskedInputs(), "100% [MASK]");
        assertEquals(0, s.changedNonTargets());
    }

    @Test
    void bertMaskingReplaces80Random10Keeps10() {
        Stats s = run(Masking.bert(), 4000, 128, 2); // about 68k targets: sd of each share < 0.2%
        double rate = s.targets() / (double) s.nonSpecial();
        assertEquals(0.15, rate, 0.01);
        assertEquals(0, s.specialTargets());
        assertEquals(0.8, s.maskedInputs() / (double) s.targets(), 0.01);
        // a random draw equal to the original id counts as kept: 1 in ~1000, within the tolerance
        assertEquals(0.1, s.randomInputs() / (double) s.targets(), 0.01);
        assertEquals(0.1, s.keptInputs() / (double) s.targets(), 0.01);
        assertEquals(0, s.changedNonTargets());
    }

    @Test
    void unkTargetsMakeUnkAnOrdinaryTokenAndNothingElseChanges() {
        SplittableRandom data = new SplittableRandom(4);
        Masking lsm = Masking.lsm().withUnkTargets(true);
        long unkTargets = 0;
        for (int k = 0; k < 50; k++) {
            int[] ids = sequence(data, 20 + k);
            Masking.MaskedSequence out = lsm.apply(ids, new SplittableRandom(k), SP, VOCAB);
            for (int i = 0; i < ids.length; i++) {
                boolean excluded = SP.isSpecial(ids[i]) && ids[i] != SP.unk();
                assertEquals(excluded ? Masking.IGNORE : ids[i], out.labels()[i], "position " + i);
                unkTargets += ids[i] == SP.unk() ? 1 : 0;
            }
        }
        assertTrue(unkTargets > 50, "the sequences hold <unk>s and every one became a target: " + unkTargets);
        // MLM at 15%: <unk> is selected at the rate of other tokens and replaced by [MASK]
        Masking mlm = Masking.mlm().withUnkTargets(true);
        SplittableRandom rng = new SplittableRandom(9);
        long unks = 0;
        long unkMasked = 0;
        for (int s = 0; s < 4000; s++) {
            int[] ids = sequence(data, 64);
            Masking.MaskedSequence out = mlm.apply(ids, rng, SP, VOCAB);
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == SP.unk()) {
                    unks++;
                    if (out.labels()[i] == SP.unk()) {
                        assertEquals(SP.mask(), out.inputIds()[i]);
                        unkMasked++;
                    }
                }
            }
        }
        assertEquals(0.15, (double) unkMasked / unks, 0.01);
        Stats off = run(Masking.mlm(), 2000, 64, 11);
        assertEquals(0, off.specialTargets(), "by default <unk> is never a target");
        assertTrue(!Masking.mlm().unkTargets() && Masking.mlm().withUnkTargets(true).unkTargets());
    }

    @Test
    void lsmTargetsEveryNonSpecialTokenAndChangesNoInput() {
        SplittableRandom data = new SplittableRandom(3);
        for (int k = 0; k < 50; k++) {
            int[] ids = sequence(data, 20 + k);
            Masking.MaskedSequence out = Masking.lsm().apply(ids, new SplittableRandom(k), SP, VOCAB);
            assertTrue(java.util.Arrays.equals(ids, out.inputIds()), "LSM inserts no [MASK]");
            int nonSpecial = 0;
            for (int i = 0; i < ids.length; i++) {
                boolean special = SP.isSpecial(ids[i]);
                nonSpecial += special ? 0 : 1;
                assertEquals(special ? Masking.IGNORE : ids[i], out.labels()[i], "position " + i);
            }
            assertEquals(nonSpecial, out.targetCount());
        }
    }

    @Test
    void lsm15Targets15PercentWithoutReplacement() {
        Stats s = run(Masking.lsm15(), 2000, 128, 4);
        assertEquals(0.15, s.targets() / (double) s.nonSpecial(), 0.01);
        assertEquals(0, s.specialTargets());
        assertEquals(0, s.maskedInputs());
        assertEquals(0, s.randomInputs());
        assertEquals(s.targets(), s.keptInputs());
        assertEquals(0, s.changedNonTargets());
    }

    @Test
    void noneSelectsNothing() {
        Stats s = run(Masking.none(), 100, 64, 5);
        assertEquals(0, s.targets());
        assertEquals(0, s.changedNonTargets());
    }

    @Test
    void everySequenceWithContentGetsATargetAndOnlySpecialsGetNone() {
        SplittableRandom rng = new SplittableRandom(6);
        int[] shortSeq = {SP.cls(), 10, SP.sep()};
        for (int k = 0; k < 200; k++) {
            Masking.MaskedSequence out = Masking.mlm().apply(shortSeq, rng, SP, VOCAB);
            assertEquals(1, out.targetCount());
            assertEquals(SP.mask(), out.inputIds()[1]);
            assertEquals(10, out.labels()[1]);
        }
        int[] onlySpecials = {SP.cls(), SP.unk(), SP.sep()};
        assertEquals(0, Masking.mlm().apply(onlySpecials, rng, SP, VOCAB).targetCount());
        assertEquals(0, Masking.lsm15().apply(onlySpecials, rng, SP, VOCAB).targetCount());
        // without the guarantee, a 1-token sequence is selected about 15% of the time
        int hits = 0;
        for (int k = 0; k < 4000; k++) {
            hits += Masking.mlm().withAtLeastOneTarget(false).apply(shortSeq, rng, SP, VOCAB).targetCount();
        }
        assertEquals(0.15, hits / 4000.0, 0.025);
    }

    @Test
    void sameRandomStateGivesSameMasks() {
        int[] ids = sequence(new SplittableRandom(7), 100);
        Masking.MaskedSequence a = Masking.bert().apply(ids, new SplittableRandom(42), SP, VOCAB);
        Masking.MaskedSequence b = Masking.bert().apply(ids, new SplittableRandom(42), SP, VOCAB);
        assertTrue(java.util.Arrays.equals(a.inputIds(), b.inputIds()));
        assertTrue(java.util.Arrays.equals(a.labels(), b.labels()));
    }

    @Test
    void invalidConfigurationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Masking.mlm(0));
        assertThrows(IllegalArgumentException.class, () -> Masking.mlm(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Masking(MaskingStrategy.MLM, 0.15, 0.8, 0.3, true));
        assertThrows(IllegalArgumentException.class, () -> new Masking(MaskingStrategy.MLM, 0.15, -0.1, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Masking(MaskingStrategy.LSM, 0.5, 0, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Masking(MaskingStrategy.LSM15, 0.15, 1, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Masking(MaskingStrategy.NONE, 0.15, 0, 0, false));
        assertTrue(Masking.mlm().replacesInputs());
        assertTrue(!Masking.lsm().replacesInputs() && !Masking.lsm15().replacesInputs());
    }
}
