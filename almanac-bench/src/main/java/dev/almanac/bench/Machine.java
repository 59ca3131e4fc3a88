package dev.almanac.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine the numbers come from: cores, memory, PostgreSQL, the JVM, and the load average over the run (other
 * work on a shared machine shows there), sampled every five seconds.
 */
final class Machine {

    private final Pg pg;
    private final List<String> samples = new ArrayList<>();
    private volatile double maxLoad;
    private volatile double sumLoad;
    private volatile int loadSamples;

    Machine(Pg pg) {
        this.pg = pg;
        Thread sampler = new Thread(
                () -> {
                    while (true) {
                        double load = load1();
                        synchronized (this) {
                            maxLoad = Math.max(maxLoad, load);
                            sumLoad += load;
                            loadSamples++;
                        }
                        try {
                            Thread.sleep(5_000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "bench-load-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    synchronized void sample(String when) {
        samples.add(when + ": " + loadAverage());
    }

    synchronized List<String> samples() {
        return List.copyOf(samples);
    }

    synchronized String loadSummary() {
        return String.format(
                Locale.ROOT,
                "1-minute load average over the run: mean %.2f, max %.2f (%d samples, every 5 s)",
                loadSamples == 0 ? 0 : sumLoad / loadSamples,
                maxLoad,
                loadSamples);
    }

    int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return "unknown";
    }

    String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    String postgres() {
        return pg.version();
    }

    String jvm() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / 1024 / 1024 + " MiB";
    }

    String os() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double load1() {
        try {
            return Double.parseDouble(
                    Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
