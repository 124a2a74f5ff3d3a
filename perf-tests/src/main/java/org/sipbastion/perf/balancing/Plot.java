package org.sipbastion.perf.balancing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The PNG: for one scenario, a row per weight configuration, p99 response time (log scale) and
 * throughput against the offered rate, a line per algorithm. Headless AWT, no dependency.
 */
final class Plot {
    private static final Color[] COLORS = {
        new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD),
        new Color(0xFF7F0E), new Color(0x8C564B), new Color(0x17BECF), new Color(0x7F7F7F)};
    private static final int PANEL_W = 640;
    private static final int PANEL_H = 400;
    private static final int LEFT = 80;
    private static final int TOP = 50;
    private static final int BOTTOM = 50;
    private static final int RIGHT = 20;

    private Plot() {
    }

    static void write(List<Result> results, String scenario, double totalCapacity, File file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, List<Result>> byWeights = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.scenario().equals(scenario)) {
                byWeights.computeIfAbsent(r.weights(), k -> new ArrayList<>()).add(r);
            }
        }
        if (byWeights.isEmpty()) {
            throw new IllegalArgumentException("no results for scenario " + scenario + " to plot");
        }
        List<String> algorithms = new ArrayList<>();
        for (Result r : results) {
            if (!algorithms.contains(r.algorithm())) {
                algorithms.add(r.algorithm());
            }
        }
        int rows = byWeights.size();
        int width = 2 * PANEL_W;
        int height = rows * PANEL_H + 70;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int row = 0;
        for (Map.Entry<String, List<Result>> e : byWeights.entrySet()) {
            String title = "weights " + e.getKey() + (e.getKey().equals("1,1,1") ? " (not configured)" : " (proportional)");
            panel(g, 0, row * PANEL_H, e.getValue(), algorithms, true, "p99 INVITE response time, ms (log), " + title,
                totalCapacity);
            panel(g, PANEL_W, row * PANEL_H, e.getValue(), algorithms, false, "throughput, calls/s, " + title,
                totalCapacity);
            row++;
        }
        // Legend along the bottom.
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int x = LEFT;
        int y = rows * PANEL_H + 35;
        for (int a = 0; a < algorithms.size(); a++) {
            g.setColor(COLORS[a % COLORS.length]);
            g.setStroke(new BasicStroke(3));
            g.drawLine(x, y - 5, x + 30, y - 5);
            g.setColor(Color.BLACK);
            g.drawString(algorithms.get(a), x + 36, y);
            x += 60 + g.getFontMetrics().stringWidth(algorithms.get(a));
        }
        g.setColor(Color.GRAY);
        g.drawString("scenario " + scenario + ", capacities 300/400/500 calls/s", x + 20, y);
        g.dispose();
        ImageIO.write(image, "png", file);
    }

    private static void panel(Graphics2D g, int ox, int oy, List<Result> results, List<String> algorithms,
                              boolean latency, String title, double totalCapacity) {
        int x0 = ox + LEFT;
        int x1 = ox + PANEL_W - RIGHT;
        int y0 = oy + PANEL_H - BOTTOM;
        int y1 = oy + TOP;
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Result r : results) {
            minX = Math.min(minX, r.offered());
            maxX = Math.max(maxX, r.offered());
            double v = latency ? r.p99Millis() : r.throughput();
            if (Double.isFinite(v) && (!latency || v > 0)) {
                minY = Math.min(minY, v);
                maxY = Math.max(maxY, v);
            }
        }
        if (minX == maxX) {
            minX -= 1;
            maxX += 1;
        }
        if (latency) {
            minY = Math.pow(10, Math.floor(Math.log10(minY)));
            maxY = Math.pow(10, Math.ceil(Math.log10(maxY)));
        } else {
            minY = 0;
            maxY = Math.max(maxY, maxX) * 1.05;
        }
        Scale sx = new Scale(minX, maxX, x0, x1, false);
        Scale sy = new Scale(minY, maxY, y0, y1, latency);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        // Grid and ticks.
        g.setStroke(new BasicStroke(1));
        for (Result r : results) {
            int x = sx.at(r.offered());
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(x, y0, x, y1);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%.0f", r.offered());
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, y0 + 16);
        }
        List<Double> yTicks = new ArrayList<>();
        if (latency) {
            for (double v = minY; v <= maxY * 1.0001; v *= 10) {
                yTicks.add(v);
            }
        } else {
            double step = niceStep(maxY / 6);
            for (double v = 0; v <= maxY; v += step) {
                yTicks.add(v);
            }
        }
        for (double v : yTicks) {
            int y = sy.at(v);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(x0, y, x1, y);
            g.setColor(Color.BLACK);
            String label = v >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2g", v);
            g.drawString(label, x0 - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y1, x1 - x0, y0 - y1);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, x0, y1 - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("offered calls/s", (x0 + x1) / 2 - 40, y0 + 34);
        if (!latency) {
            // The ideal: everything up to the farm's capacity.
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 6}, 0));
            double knee = Math.min(maxX, totalCapacity);
            g.drawLine(sx.at(minX), sy.at(minX), sx.at(knee), sy.at(knee));
            g.drawLine(sx.at(knee), sy.at(knee), sx.at(maxX), sy.at(knee));
            g.drawString("capacity", sx.at(knee) + 4, sy.at(knee) - 6);
        }
        for (int a = 0; a < algorithms.size(); a++) {
            g.setColor(COLORS[a % COLORS.length]);
            g.setStroke(new BasicStroke(2.2f));
            int px = -1;
            int py = -1;
            for (Result r : results) {
                if (!r.algorithm().equals(algorithms.get(a))) {
                    continue;
                }
                double v = latency ? r.p99Millis() : r.throughput();
                if (!Double.isFinite(v) || latency && v <= 0) {
                    px = -1;
                    continue;
                }
                int x = sx.at(r.offered());
                int y = sy.at(v);
                g.fillOval(x - 3, y - 3, 7, 7);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
        }
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private record Scale(double min, double max, int from, int to, boolean log) {
        int at(double v) {
            double f = log ? (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min)) : (v - min) / (max - min);
            return (int) Math.round(from + f * (to - from));
        }
    }
}
