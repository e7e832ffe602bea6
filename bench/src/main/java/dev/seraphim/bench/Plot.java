package dev.seraphim.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Throughput and p99 against concurrency, one line per model and batching mode, log-scaled, as a PNG. */
final class Plot {
    record Series(String label, List<double[]> points) {
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0x17becf),
            new Color(0x000000), new Color(0xbcbd22)};

    private Plot() {
    }

    static void write(Path file, String title, Map<String, List<Series>> panels) throws IOException {
        int panelWidth = 620;
        int height = 520;
        BufferedImage image = new BufferedImage(panelWidth * panels.size(), height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), height);
        int x0 = 0;
        for (Map.Entry<String, List<Series>> panel : panels.entrySet()) {
            panel(g, x0, panelWidth, height, title + ": " + panel.getKey(), panel.getValue());
            x0 += panelWidth;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void panel(Graphics2D g, int x0, int w, int h, String title, List<Series> series) {
        int left = x0 + 70;
        int right = x0 + w - 20;
        int top = 40;
        int bottom = h - 150;
        double xmin = Double.MAX_VALUE, xmax = 0, ymin = Double.MAX_VALUE, ymax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (p[1] <= 0) {
                    continue;
                }
                xmin = Math.min(xmin, p[0]);
                xmax = Math.max(xmax, p[0]);
                ymin = Math.min(ymin, p[1]);
                ymax = Math.max(ymax, p[1]);
            }
        }
        if (xmax == 0) {
            return;
        }
        double lx0 = Math.log10(xmin), lx1 = Math.log10(Math.max(xmax, xmin * 2));
        double ly0 = Math.floor(Math.log10(ymin)), ly1 = Math.ceil(Math.log10(ymax));
        if (ly1 == ly0) {
            ly1 += 1;
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, left, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, right - left, bottom - top);
        for (double d = ly0; d <= ly1; d++) {
            int y = (int) (bottom - (d - ly0) / (ly1 - ly0) * (bottom - top));
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(java.util.Locale.ROOT, "%.0e", Math.pow(10, d)), x0 + 8, y + 4);
        }
        for (double[] p : series.get(0).points()) {
            int x = (int) (left + (Math.log10(p[0]) - lx0) / (lx1 - lx0) * (right - left));
            g.drawString(Long.toString((long) p[0]), x - 6, bottom + 16);
        }
        g.drawString("concurrency (closed-loop clients)", left + (right - left) / 2 - 90, bottom + 32);
        int legendY = bottom + 52;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(s.label().contains("off") ? 1.2f : 2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1,
                    s.label().contains("off") ? new float[]{6, 4} : null, 0));
            int px = -1, py = -1;
            for (double[] p : s.points()) {
                if (p[1] <= 0) {
                    continue;
                }
                int x = (int) (left + (Math.log10(p[0]) - lx0) / (lx1 - lx0) * (right - left));
                int y = (int) (bottom - (Math.log10(p[1]) - ly0) / (ly1 - ly0) * (bottom - top));
                g.fillOval(x - 3, y - 3, 6, 6);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            int lx = left + (i % 3) * 180;
            int ly = legendY + (i / 3) * 16;
            g.drawLine(lx, ly - 4, lx + 24, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(s.label(), lx + 30, ly);
        }
        g.setStroke(new BasicStroke(1));
    }

    static Map<String, List<Series>> panels() {
        return new LinkedHashMap<>();
    }
}
