package io.mlsm.eval.report;

import io.mlsm.runtime.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A PNG line plot of scores against update steps, one line per series (the papers' Figures 3–5: average BLiMP or
 * GLUE score over second-phase update steps). Drawn with Java2D on a headless {@link BufferedImage}: axes with
 * "nice" ticks (1, 2, 5 × 10^k), axis labels, a title and a legend.
 *
 * <pre>{@code
 * ScoreCurvePlot.builder().title("BLiMP average").xLabel("update step").yLabel("accuracy")
 *     .point("MLM", 16_000, 0.70).point("MLM", 48_000, 0.74)
 *     .point("MLSM+MLM", 16_000, 0.72).point("MLSM+MLM", 48_000, 0.75)
 *     .build().write(Path.of("blimp.png"));
 * }</pre>
 */
public final class ScoreCurvePlot {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Series colours, in order: the colour-blind friendly Okabe–Ito palette, then grey and dark red (ten distinct). */
    static final Color[] PALETTE = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
            new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233), new Color(240, 228, 66),
            new Color(0, 0, 0), new Color(136, 136, 136), new Color(153, 17, 17)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final int width;
    private final int height;
    private final Map<String, TreeMap<Long, Double>> series;

    private ScoreCurvePlot(Builder b) {
        this.title = b.title;
        this.xLabel = b.xLabel;
        this.yLabel = b.yLabel;
        this.width = b.width;
        this.height = b.height;
        this.series = b.series;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the colour of the {@code i}-th series */
    public static Color colorOf(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** @return the rendered image */
    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            draw(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** @return the PNG bytes */
    public byte[] toPng() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(render(), "png", out)) {
            throw new IOException("no PNG writer available");
        }
        return out.toByteArray();
    }

    /** Writes the PNG atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toPng());
    }

    private void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();

        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY;
        double ymax = Double.NEGATIVE_INFINITY;
        for (TreeMap<Long, Double> s : series.values()) {
            for (Map.Entry<Long, Double> e : s.entrySet()) {
                xmin = Math.min(xmin, e.getKey());
                xmax = Math.max(xmax, e.getKey());
                ymin = Math.min(ymin, e.getValue());
                ymax = Math.max(ymax, e.getValue());
            }
        }
        if (xmin == xmax) {
            xmin -= 1;
            xmax += 1;
        }
        if (ymin == ymax) {
            ymin -= 0.05;
            ymax += 0.05;
        }
        double[] xt = niceTicks(xmin, xmax, 6);
        double[] yt = niceTicks(ymin, ymax, 6);
        double x0 = Math.min(xmin, xt[0]);
        double x1 = Math.max(xmax, xt[xt.length - 1]);
        double y0 = Math.min(ymin, yt[0]);
        double y1 = Math.max(ymax, yt[yt.length - 1]);

        int left = 70;
        int right = width - 20;
        int top = 40;
        int bottom = height - 55;
        // title
        g.setColor(Color.BLACK);
        g.setFont(font.deriveFont(Font.BOLD, 14f));
        g.drawString(title, (width - g.getFontMetrics().stringWidth(title)) / 2, 24);
        g.setFont(font);
        // grid and ticks
        for (double v : yt) {
            int py = py(v, y0, y1, top, bottom);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, py, right, py);
            g.setColor(Color.BLACK);
            g.drawLine(left - 5, py, left, py);
            String s = formatTick(v, yt);
            g.drawString(s, left - 8 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        for (double v : xt) {
            int px = px(v, x0, x1, left, right);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(px, top, px, bottom);
            g.setColor(Color.BLACK);
            g.drawLine(px, bottom, px, bottom + 5);
            String s = formatTick(v, xt);
            g.drawString(s, px - fm.stringWidth(s) / 2, bottom + 8 + fm.getAscent());
        }
        // axes
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        g.drawString(xLabel, (left + right - fm.stringWidth(xLabel)) / 2, height - 12);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + bottom + fm.stringWidth(yLabel)) / 2, 18);
        g.setTransform(saved);
        // series
        int k = 0;
        for (TreeMap<Long, Double> s : series.values()) {
            g.setColor(colorOf(k++));
            g.setStroke(new BasicStroke(2.2f));
            int[] prev = null;
            for (Map.Entry<Long, Double> e : s.entrySet()) {
                int[] p = {px(e.getKey(), x0, x1, left, right), py(e.getValue(), y0, y1, top, bottom)};
                if (prev != null) {
                    g.drawLine(prev[0], prev[1], p[0], p[1]);
                }
                g.fillOval(p[0] - 4, p[1] - 4, 9, 9);
                prev = p;
            }
        }
        // legend (top right inside the plot area)
        int lw = 0;
        for (String name : series.keySet()) {
            lw = Math.max(lw, fm.stringWidth(name));
        }
        int lh = series.size() * (fm.getHeight() + 4) + 8;
        int boxW = lw + 40;
        // the corner of the plot area whose legend box covers the fewest data points
        int[][] corners = {{right - boxW - 8, top + 8}, {left + 8, top + 8}, {right - boxW - 8, bottom - lh - 8},
                {left + 8, bottom - lh - 8}};
        int lx = corners[0][0];
        int ly = corners[0][1];
        int fewest = Integer.MAX_VALUE;
        for (int[] c : corners) {
            int covered = 0;
            for (TreeMap<Long, Double> s : series.values()) {
                int[] prev = null;
                for (Map.Entry<Long, Double> e : s.entrySet()) {
                    int[] q = {px(e.getKey(), x0, x1, left, right), py(e.getValue(), y0, y1, top, bottom)};
                    // the point itself counts 10, samples along the line to it 1 each
                    covered += inBox(q[0], q[1], c, boxW, lh) ? 10 : 0;
                    if (prev != null) {
                        for (int j = 1; j < 20; j++) {
                            covered += inBox(prev[0] + (q[0] - prev[0]) * j / 20, prev[1] + (q[1] - prev[1]) * j / 20,
                                    c, boxW, lh) ? 1 : 0;
                        }
                    }
                    prev = q;
                }
            }
            if (covered < fewest) {
                fewest = covered;
                lx = c[0];
                ly = c[1];
            }
        }
        g.setColor(new Color(255, 255, 255, 235));
        g.fillRect(lx, ly, lw + 40, lh);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(lx, ly, lw + 40, lh);
        k = 0;
        int rowY = ly + 6 + fm.getAscent();
        for (String name : series.keySet()) {
            g.setColor(colorOf(k++));
            g.setStroke(new BasicStroke(2.2f));
            g.drawLine(lx + 6, rowY - fm.getAscent() / 2 + 1, lx + 26, rowY - fm.getAscent() / 2 + 1);
            g.setColor(Color.BLACK);
            g.drawString(name, lx + 32, rowY);
            rowY += fm.getHeight() + 4;
        }
    }

    private static boolean inBox(int x, int y, int[] corner, int w, int h) {
        return x >= corner[0] - 6 && x <= corner[0] + w + 6 && y >= corner[1] - 6 && y <= corner[1] + h + 6;
    }

    private static int px(double v, double x0, double x1, int left, int right) {
        return (int) Math.round(left + (v - x0) / (x1 - x0) * (right - left));
    }

    private static int py(double v, double y0, double y1, int top, int bottom) {
        return (int) Math.round(bottom - (v - y0) / (y1 - y0) * (bottom - top));
    }

    /**
     * "Nice" tick values covering {@code [lo, hi]}: a step of 1, 2 or 5 × 10^k giving at most about
     * {@code maxTicks} ticks, first tick {@code <= lo}, last {@code >= hi}.
     */
    public static double[] niceTicks(double lo, double hi, int maxTicks) {
        if (!(hi > lo) || maxTicks < 2) {
            throw new IllegalArgumentException("need lo < hi and maxTicks >= 2, got " + lo + ", " + hi + ", "
                    + maxTicks);
        }
        double raw = (hi - lo) / (maxTicks - 1);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = 10 * mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * mag >= raw - 1e-12 * mag) {
                step = m * mag;
                break;
            }
        }
        long first = (long) Math.floor(lo / step + 1e-9);
        long last = (long) Math.ceil(hi / step - 1e-9);
        double[] out = new double[(int) (last - first + 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (first + i) * step;
            if (Math.abs(out[i]) < step * 1e-9) {
                out[i] = 0.0;
            }
        }
        return out;
    }

    /** @return a tick label: thousands as {@code 16k}, otherwise as many decimals as the step needs */
    static String formatTick(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        if (step >= 1000 && Math.abs(v % 1000) < 1e-9) {
            return v == 0 ? "0" : String.format(Locale.ROOT, "%dk", Math.round(v / 1000));
        }
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Builds a plot; every series needs at least one point. */
    public static final class Builder {
        private String title = "";
        private String xLabel = "update step";
        private String yLabel = "score";
        private int width = 800;
        private int height = 500;
        private final Map<String, TreeMap<Long, Double>> series = new LinkedHashMap<>();

        public Builder title(String t) {
            this.title = t;
            return this;
        }

        public Builder xLabel(String l) {
            this.xLabel = l;
            return this;
        }

        public Builder yLabel(String l) {
            this.yLabel = l;
            return this;
        }

        /** Image size in pixels, at least 300 × 200. */
        public Builder size(int w, int h) {
            if (w < 300 || h < 200) {
                throw new IllegalArgumentException("plot must be at least 300x200, got " + w + "x" + h);
            }
            this.width = w;
            this.height = h;
            return this;
        }

        /** Adds (or replaces) the point at {@code step} of a series; the score must be finite. */
        public Builder point(String seriesName, long step, double score) {
            if (seriesName == null || seriesName.isEmpty()) {
                throw new IllegalArgumentException("series name must be non-empty");
            }
            if (!Double.isFinite(score)) {
                throw new IllegalArgumentException("score of " + seriesName + " at step " + step
                        + " must be finite, got " + score);
            }
            series.computeIfAbsent(seriesName, n -> new TreeMap<>()).put(step, score);
            return this;
        }

        public ScoreCurvePlot build() {
            if (series.isEmpty()) {
                throw new IllegalArgumentException("a plot needs at least one series with one point");
            }
            return new ScoreCurvePlot(this);
        }

        /** @return the series names in insertion order */
        List<String> names() {
            return new ArrayList<>(series.keySet());
        }
    }
}
