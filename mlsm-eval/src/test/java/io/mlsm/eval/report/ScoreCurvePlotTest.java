package io.mlsm.eval.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreCurvePlotTest {

    @Test
    void niceTicksUseOneTwoFiveSteps() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0},
                ScoreCurvePlot.niceTicks(0, 1, 6), 1e-12);
        assertArrayEquals(new double[] {0.6000000000000001, 0.65, 0.7000000000000001, 0.75, 0.8},
                ScoreCurvePlot.niceTicks(0.64, 0.772, 6), 1e-12);
        assertArrayEquals(new double[] {0, 20_000, 40_000, 60_000, 80_000},
                ScoreCurvePlot.niceTicks(0, 80_000, 6), 0);
        assertArrayEquals(new double[] {10_000, 20_000, 30_000, 40_000, 50_000},
                ScoreCurvePlot.niceTicks(16_000, 48_000, 6), 0);
        assertEquals("16k", ScoreCurvePlot.formatTick(16_000, new double[] {0, 2000}));
        assertEquals("0.66", ScoreCurvePlot.formatTick(0.66, new double[] {0.64, 0.66}));
        assertThrows(IllegalArgumentException.class, () -> ScoreCurvePlot.niceTicks(1, 1, 6));
    }

    @Test
    void writesADecodablePngOfTheRequestedSizeWithEverySeriesDrawn(@TempDir Path dir) throws IOException {
        ScoreCurvePlot plot = ScoreCurvePlot.builder().title("Average BLiMP").xLabel("update step")
                .yLabel("accuracy").size(640, 400)
                .point("MLM", 16_000, 0.70).point("MLM", 48_000, 0.74).point("MLM", 80_000, 0.772)
                .point("MLSM", 16_000, 0.66).point("MLSM", 48_000, 0.65).point("MLSM", 80_000, 0.64)
                .point("MLSM+MLM", 16_000, 0.72).point("MLSM+MLM", 80_000, 0.762)
                .build();
        Path f = dir.resolve("curve.png");
        plot.write(f);
        byte[] bytes = Files.readAllBytes(f);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(bytes, 4));
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img);
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        assertEquals(0xFFFFFF, img.getRGB(2, 2) & 0xFFFFFF, "background");
        for (int s = 0; s < 3; s++) {
            int rgb = ScoreCurvePlot.colorOf(s).getRGB() & 0xFFFFFF;
            int count = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                        count++;
                    }
                }
            }
            assertTrue(count > 100, "series " + s + " has only " + count + " pixels of its colour");
        }
        // a single point per series still renders (degenerate ranges are widened)
        BufferedImage one = ScoreCurvePlot.builder().point("only", 5, 0.5).build().render();
        assertEquals(800, one.getWidth());
        assertThrows(IllegalArgumentException.class, () -> ScoreCurvePlot.builder().build());
        assertThrows(IllegalArgumentException.class, () -> ScoreCurvePlot.builder().point("x", 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ScoreCurvePlot.builder().size(10, 10));
    }
}
