package dev.almanac.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every measured value, by metric and system, one value per run; and notes on anything that went wrong. */
final class Results {

    /** A metric: what it measures, its unit, and whether more is better. */
    record Metric(String workload, String name, String unit, boolean higherIsBetter) {
        String title() {
            return workload + ": " + name + " (" + unit + ")";
        }
    }

    /** The median and range of one metric for one system. */
    record Summary(double median, double min, double max, int runs) {}

    private final Map<Metric, Map<String, List<Double>>> values = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    synchronized void label(String key, String label) {
        labels.put(key, label);
    }

    synchronized String labelOf(String key) {
        return labels.getOrDefault(key, key);
    }

    synchronized void add(Metric metric, String system, double value) {
        values.computeIfAbsent(metric, m -> new LinkedHashMap<>())
                .computeIfAbsent(system, s -> new ArrayList<>())
                .add(value);
    }

    synchronized void note(String note) {
        notes.add(note);
        System.out.println("  note: " + note);
    }

    synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    synchronized List<Metric> metrics() {
        return List.copyOf(values.keySet());
    }

    synchronized List<String> systems(Metric metric) {
        return List.copyOf(values.getOrDefault(metric, Map.of()).keySet());
    }

    synchronized List<Double> values(Metric metric, String system) {
        return List.copyOf(values.getOrDefault(metric, Map.of()).getOrDefault(system, List.of()));
    }

    synchronized Summary summary(Metric metric, String system) {
        List<Double> list = new ArrayList<>(values(metric, system));
        if (list.isEmpty()) {
            return null;
        }
        Collections.sort(list);
        return new Summary(median(list), list.get(0), list.get(list.size() - 1), list.size());
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Almanac / peer for one metric, run by run (each run measured both), as the median of those ratios with their
     * range; null when either side is missing.
     */
    synchronized Summary ratio(Metric metric, String almanac, String peer) {
        List<Double> a = values(metric, almanac);
        List<Double> p = values(metric, peer);
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), p.size()); i++) {
            if (p.get(i) > 0) {
                ratios.add(a.get(i) / p.get(i));
            }
        }
        if (ratios.isEmpty()) {
            return null;
        }
        Collections.sort(ratios);
        return new Summary(median(ratios), ratios.get(0), ratios.get(ratios.size() - 1), ratios.size());
    }

    /** The value at percentile {@code p} (0..1) of sorted values, nearest rank. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
