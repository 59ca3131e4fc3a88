package dev.almanac.bench;

import dev.almanac.bench.Results.Metric;
import dev.almanac.bench.Results.Summary;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** The table on standard output, the Markdown report and its charts, and the summary in the bench's README. */
final class Report {

    static final String README_START = "<!-- bench-summary:start -->";
    static final String README_END = "<!-- bench-summary:end -->";

    private final Options options;
    private final Results results;
    private final Machine machine;
    private final Duration took;
    private final int runsDone;
    private final String date =
            ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));

    Report(Options options, Results results, Machine machine, Duration took, int runsDone) {
        this.runsDone = runsDone;
        this.options = options;
        this.results = results;
        this.machine = machine;
        this.took = took;
    }

    /** The Almanac configuration a peer is compared with: the same number of instances. */
    static String almanacPeerOf(String system) {
        if (system.startsWith("almanac")) {
            return null;
        }
        return system.endsWith("-3") ? "almanac-3" : "almanac-1";
    }

    String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%-52s %-44s %12s %22s %5s %16s%n",
                "metric",
                "system",
                "median",
                "min-max",
                "runs",
                "Almanac/peer"));
        for (Metric metric : results.metrics()) {
            for (String system : results.systems(metric)) {
                Summary s = results.summary(metric, system);
                Summary ratio = ratio(metric, system);
                out.append(String.format(
                        Locale.ROOT,
                        "%-52s %-44s %12s %22s %5d %16s%n",
                        metric.title(),
                        results.labelOf(system),
                        number(s.median()),
                        number(s.min()) + "-" + number(s.max()),
                        s.runs(),
                        ratio == null ? "" : String.format(Locale.ROOT, "%.2f", ratio.median())));
            }
        }
        return out.toString();
    }

    private Summary ratio(Metric metric, String system) {
        String almanac = almanacPeerOf(system);
        return almanac == null ? null : results.ratio(metric, almanac, system);
    }

    static String number(double value) {
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** Writes report.md, raw.csv and the charts; updates the bench README's summary after a full run. */
    Path write() throws IOException {
        Path dir = options.out();
        Files.createDirectories(dir);
        boolean drainChart = chartDrain(dir.resolve("drain-throughput.png"));
        boolean latenessChart = chartLateness(dir.resolve("lateness-percentiles.png"));
        Path report = dir.resolve("report.md");
        Files.writeString(report, markdown(drainChart, latenessChart), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("raw.csv"), csv(), StandardCharsets.UTF_8);
        if (options.updateReadme()) {
            updateReadme();
        }
        return report;
    }

    private String csv() {
        StringBuilder out = new StringBuilder("workload,metric,unit,system,run,value\n");
        for (Metric metric : results.metrics()) {
            for (String system : results.systems(metric)) {
                List<Double> values = results.values(metric, system);
                for (int i = 0; i < values.size(); i++) {
                    out.append(String.format(
                            Locale.ROOT,
                            "%s,%s,%s,%s,%d,%.3f%n",
                            metric.workload(),
                            metric.name().replace(',', ';'),
                            metric.unit(),
                            system,
                            i + 1,
                            values.get(i)));
                }
            }
        }
        return out.toString();
    }

    private String markdown(boolean drainChart, boolean latenessChart) {
        StringBuilder md = new StringBuilder();
        md.append("# Almanac benchmark")
                .append(options.quick() ? " (quick smoke run)" : "")
                .append(", ")
                .append(date)
                .append("\n\n");
        md.append("Command: `")
                .append(options.command())
                .append("` (after `mvn -q -DskipTests package`), ")
                .append(runsDone)
                .append(" of ")
                .append(options.runs())
                .append(" run(s) done, took ")
                .append(took.toMinutes())
                .append(" min ")
                .append(took.toSecondsPart())
                .append(" s.\n\n");
        md.append("## Machine\n\n");
        md.append("- CPU: ")
                .append(machine.cores())
                .append(" cores (")
                .append(machine.cpu())
                .append(")\n");
        md.append("- memory: ").append(machine.memory()).append("\n");
        md.append("- PostgreSQL ")
                .append(machine.postgres())
                .append(" at `")
                .append(options.dbUrl())
                .append("`\n");
        md.append("- JVM: ")
                .append(machine.jvm())
                .append("; ")
                .append(machine.os())
                .append("\n");
        md.append("- ")
                .append(machine.loadSummary())
                .append("; samples (1, 5, 15 min): ")
                .append(String.join("; ", machine.samples()))
                .append("\n\n");
        md.append(
                        "Everything (the systems, the load generator and PostgreSQL) shares these cores; a load average above")
                .append(" the core count means other work competed for the CPU while this ran.\n\n");
        md.append("## Workloads and settings\n\n").append(settings()).append("\n");
        md.append("## Results\n\n");
        md.append("Median of the runs, with min–max. **Almanac/peer** compares Almanac with the same number of")
                .append(" nodes as the peer, run by run (median of the per-run ratios): above 1 is better for")
                .append(" Almanac on throughput, below 1 is better for Almanac on lateness.\n\n");
        String workload = null;
        for (Metric metric : results.metrics()) {
            if (!metric.workload().equals(workload)) {
                workload = metric.workload();
                md.append("\n### ").append(workload).append("\n\n");
                md.append("| metric | system | median | min–max | runs | Almanac/peer (min–max) |\n");
                md.append("|---|---|---:|---:|---:|---:|\n");
            }
            for (String system : results.systems(metric)) {
                Summary s = results.summary(metric, system);
                Summary r = ratio(metric, system);
                md.append("| ")
                        .append(metric.name())
                        .append(" (")
                        .append(metric.unit())
                        .append(") | ")
                        .append(results.labelOf(system))
                        .append(" | ")
                        .append(number(s.median()))
                        .append(" | ")
                        .append(number(s.min()))
                        .append("–")
                        .append(number(s.max()))
                        .append(" | ")
                        .append(s.runs())
                        .append(" | ")
                        .append(
                                r == null
                                        ? ""
                                        : String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", r.median(), r.min(), r.max()))
                        .append(" |\n");
            }
        }
        md.append("\n");
        if (drainChart) {
            md.append("![drain throughput](drain-throughput.png)\n\n");
        }
        if (latenessChart) {
            md.append("![lateness percentiles](lateness-percentiles.png)\n\n");
        }
        md.append("## Against the goals\n\n").append(goals()).append("\n");
        List<String> notes = results.notes();
        if (!notes.isEmpty()) {
            md.append("## Notes from the run\n\n");
            notes.forEach(n -> md.append("- ").append(n).append("\n"));
            md.append("\n");
        }
        md.append("Raw values, run by run: [raw.csv](raw.csv).\n");
        return md.toString();
    }

    private String settings() {
        int t = options.threads();
        return String.format(
                Locale.ROOT,
                """
                - **drain**: %,d one-time trivial jobs due now, scheduled while no instance executes; then every \
                instance starts; executions/s = jobs / time until the database records all of them finished.
                - **lateness**: %d jobs/s falling due for %d s (%,d one-time jobs, scheduled ahead), due-to-start \
                lateness measured inside the job body; jobs due in the first second after the instances started are \
                not counted.
                - **registry** (Almanac only; the peers have no registry API): %,d jobs created through the REST API \
                by 4 clients (create rate), the rest up to %,d written in bulk with SQL; list pages through the API \
                (median of 10 after a warm-up); a trigger pass with 500 of them due (`Engine.runDueOnceWithoutWaiting`: \
                lock, write 500 executions, advance 500 jobs, claim the first %d) and with none due.
                - **api** (Almanac only): %d closed-loop Java clients over loopback HTTP/1.1 for %d s after a warm-up, \
                10%% create, 30%% list (random page of 20), 40%% get, 20%% run now, against the registry above.
                - **footprint** (Almanac only): one node in a process of its own, started as the README's run \
                command does (`-XX:SharedArchiveFile=… -XX:+UseSerialGC -Xms64m -Xmx256m`, from the extracted jar and \
                class-data-sharing archive of the README's build when they hold the bench's server classes, else from \
                this JVM's class path; the notes say which); start-up from the process's start to the first \
                `/actuator/health` answering UP; resident memory from `/proc` (idle, after the registry's creates, bulk \
                rows and list pages, after all the API load below); a warm-up of the API mix and \
                `/actuator/health` in turn from %d closed-loop clients until the node's JIT compilers are idle or \
                `--footprint-warmup-seconds` have passed (the notes say which, and how busy the compilers still \
                were); the API mix above, on the bench's own jobs, sent at %d req/s whatever the answers take (an \
                open loop, each latency from when its request was due) for %d s; single-endpoint throughput of %d closed-loop clients \
                on `/actuator/health` (the floor) and `GET /jobs/{id}` in %d alternating rounds of each (the median of \
                the rounds, and of the rounds' ratios); the job list, a job's and the executions pages signed in \
                through the login form (median of 10 loads after 100 \
                unmeasured ones).
                - **history** (Almanac only): %,d executions over 30 days for 1 000 jobs, written with SQL once; each \
                endpoint timed as the median of 10 requests after a warm-up, once per run.
                - Every system gets a schema of its own per run (`bench_<pid>_r<run>_<system>`); the systems run one \
                at a time, in an order that rotates from run to run.
                - The job body is the same for all: it notes its start time and returns.
                - %s

                Settings (each as its own documentation recommends for throughput; %d execution threads per \
                instance everywhere):

                - **Almanac**: the real server application context per node (REST API on a free port, Flyway, the \
                engine's loops), in this JVM; `almanac.engine.workers=%d`, defaults otherwise (poll interval 1 s, \
                trigger batch 500, LISTEN/NOTIFY wake-ups), Hikari pool of 10. Jobs are one-time jobs of a no-op \
                template registered through ServiceLoader, written with SQL in one transaction followed by the \
                NOTIFY an API create sends.
                - **db-scheduler 16.7.1**: one-time tasks, `threads(%d)`, `pollingInterval(1s)` (default 10 s), \
                `fetch` = `pollUsingFetchAndLockOnExecute(0.5, 3.0)` (its defaults), `lock-and-fetch` = \
                `pollUsingLockAndFetch(1.0, 4.0)` (its README's "high throughput" setting); Hikari pool of %d per \
                instance; scheduled with `SchedulerClient.scheduleBatch`.
                - **Quartz 2.5.2**: `JobStoreTX` with `PostgreSQLDelegate`, `isClustered=true`, `threadCount=%d`, \
                `batchTriggerAcquisitionMaxCount=%d` with `acquireTriggersWithinLock=true`, `idleWaitTime=5000` \
                (the lowest its reference recommends; default 30 s), HikariCP with `maxConnections=%d` \
                (threads + 2), `misfireThreshold` 15 min (longer than storing a drain's triggers takes, so they are \
                fired as due, not as misfires); one non-durable job and one simple trigger (misfire: fire now) per \
                job, scheduled with `scheduleJobs` in batches of 1 000, its tables analyzed after the first batch.
                - 3 nodes / instances run in this one JVM, each with its own connection pool. Every system's tables \
                are analyzed after scheduling and before it starts, as autovacuum would after such a write.
                """,
                options.drainJobs(),
                options.latenessRate(),
                options.latenessSeconds(),
                options.latenessRate() * options.latenessSeconds(),
                options.registryApiCreates(),
                options.registryJobs(),
                t,
                options.apiClients(),
                options.apiSeconds(),
                Footprint.CLIENTS,
                options.apiRate(),
                options.apiSeconds(),
                Footprint.CLIENTS,
                Footprint.ROUNDS,
                options.historyRows(),
                options.warmupJobs() > 0
                        ? String.format(
                                Locale.ROOT,
                                "In each run, every system's instances first drained %,d jobs at a time,"
                                        + " unmeasured, again and again for %d s (each drain cut off after 30 s),"
                                        + " and were measured once the JIT compiler was idle.",
                                options.warmupJobs(),
                                options.warmupSeconds())
                        : "No warm-up: the first run of each system is in a fresh JVM, while the JIT compiler is busy.",
                t,
                t,
                t,
                t + 2,
                t,
                t,
                t + 2);
    }

    private String goals() {
        StringBuilder out = new StringBuilder();
        for (Metric metric : List.of(Bench.DRAIN, Bench.LATE_P99)) {
            for (String system : results.systems(metric)) {
                Summary r = ratio(metric, system);
                if (r == null) {
                    continue;
                }
                boolean ahead = metric.higherIsBetter() ? r.median() > 1 : r.median() < 1;
                out.append(String.format(
                        Locale.ROOT,
                        "- %s vs %s: Almanac/peer %.2f — %s%n",
                        metric.title(),
                        results.labelOf(system),
                        r.median(),
                        ahead ? "**ahead**" : "**behind**"));
            }
        }
        Summary apiP99 = results.summary(AlmanacWorkloads.API_P99, AlmanacWorkloads.SYSTEM);
        if (apiP99 != null) {
            out.append(String.format(
                    Locale.ROOT,
                    "- API p99 %.1f ms against the 1 s target — %s%n",
                    apiP99.median(),
                    apiP99.median() < 250 ? "**far under**" : apiP99.median() < 1000 ? "**under**" : "**over**"));
        }
        goal(out, Footprint.RATE_P99, "≤ 25 ms (issue #19)", 25, false);
        goal(out, Footprint.GET_OF_FLOOR, "≥ 0.67 of the floor (issue #19)", 1 / 1.5, true);
        goal(out, Footprint.PAGE_JOBS, "≤ 30 ms (issue #19)", 30, false);
        goal(out, Footprint.STARTUP, "≤ 8 s (issue #19)", 8, false);
        goal(out, Footprint.RSS_IDLE, "≤ 300 MiB (issue #19)", 300, false);
        for (Metric metric : results.metrics()) {
            boolean page = metric.unit().equals("ms")
                    && (metric.workload().equals("history") || metric.name().startsWith("list"));
            Summary s = results.summary(metric, AlmanacWorkloads.SYSTEM);
            if (page && s != null) {
                out.append(String.format(
                        Locale.ROOT,
                        "- %s: %.1f ms — %s%n",
                        metric.title(),
                        s.median(),
                        s.median() < 100 ? "under 100 ms" : "**over 100 ms**"));
            }
        }
        return out.toString();
    }

    private void goal(StringBuilder out, Metric metric, String target, double limit, boolean higherIsBetter) {
        Summary s = results.summary(metric, AlmanacWorkloads.SYSTEM);
        if (s == null) {
            return;
        }
        boolean met = higherIsBetter ? s.median() >= limit : s.median() <= limit;
        out.append(String.format(
                Locale.ROOT,
                "- %s: %s %s against %s — %s%n",
                metric.name(),
                number(s.median()),
                metric.unit(),
                target,
                met ? "**met**" : "**not met**"));
    }

    private boolean chartDrain(Path file) throws IOException {
        List<String> systems = results.systems(Bench.DRAIN);
        if (systems.isEmpty()) {
            return false;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String system : systems) {
            data.addValue(
                    results.summary(Bench.DRAIN, system).median(), "median executions/s", results.labelOf(system));
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "Drain: " + String.format(Locale.ROOT, "%,d", options.drainJobs()) + " trivial jobs due now",
                null,
                "executions per second (median of " + options.runs() + ")",
                data,
                PlotOrientation.HORIZONTAL,
                false,
                false,
                false);
        chart.getCategoryPlot().setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        style(chart);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 520);
        return true;
    }

    private boolean chartLateness(Path file) throws IOException {
        List<String> systems = results.systems(Bench.LATE_P50);
        if (systems.isEmpty()) {
            return false;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<Metric> percentiles =
                new ArrayList<>(List.of(Bench.LATE_P50, Bench.LATE_P95, Bench.LATE_P99, Bench.LATE_MAX));
        for (String system : systems) {
            for (Metric metric : percentiles) {
                Summary s = results.summary(metric, system);
                if (s != null) {
                    data.addValue(Math.max(1, s.median()), metric.name(), results.labelOf(system));
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "Lateness, due to start: " + options.latenessRate() + " jobs/s for " + options.latenessSeconds() + " s",
                null,
                "milliseconds (median of " + options.runs() + ", log scale; under 1 ms drawn as 1)",
                data,
                PlotOrientation.HORIZONTAL,
                true,
                false,
                false);
        CategoryPlot plot = chart.getCategoryPlot();
        LogAxis axis = new LogAxis("milliseconds (median of " + options.runs() + ", log scale; under 1 ms drawn as 1)");
        axis.setSmallestValue(1);
        axis.setTickUnit(new NumberTickUnit(1), false, false);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
        axis.setMinorTickCount(9);
        plot.setRangeAxis(axis);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        style(chart);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 700);
        return true;
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        Color[] colors = {new Color(0x2f6fb0), new Color(0x59a14f), new Color(0xf28e2b), new Color(0xe15759)};
        for (int i = 0; i < colors.length; i++) {
            renderer.setSeriesPaint(i, colors[i]);
        }
    }

    /** Replaces the summary between the markers in almanac-bench/README.md with this run's headline numbers. */
    private void updateReadme() throws IOException {
        Path readme = options.out().toAbsolutePath().getParent().resolve("README.md");
        if (!Files.exists(readme)) {
            return;
        }
        String text = Files.readString(readme);
        int start = text.indexOf(README_START);
        int end = text.indexOf(README_END);
        if (start < 0 || end < start) {
            return;
        }
        StringBuilder summary = new StringBuilder(README_START).append("\n");
        summary.append("Latest full run: ")
                .append(date)
                .append(", `")
                .append(options.command())
                .append("`, ")
                .append(runsDone)
                .append(" of ")
                .append(options.runs())
                .append(" runs, on ")
                .append(machine.cores())
                .append(" cores / ")
                .append(machine.memory())
                .append(", PostgreSQL ")
                .append(machine.postgres())
                .append("; ")
                .append(machine.loadSummary())
                .append(". Full report: [results/report.md](results/report.md).\n\n");
        summary.append("| metric | system | median | min–max | Almanac/peer |\n|---|---|---:|---:|---:|\n");
        for (Metric metric : results.metrics()) {
            boolean headline = metric.workload().equals("drain")
                    || metric == Bench.LATE_P50
                    || metric == Bench.LATE_P99
                    || metric == AlmanacWorkloads.CREATE_RATE
                    || metric == AlmanacWorkloads.LIST_FIRST
                    || metric == AlmanacWorkloads.TRIGGER_PASS
                    || metric == AlmanacWorkloads.API_THROUGHPUT
                    || metric == AlmanacWorkloads.API_P99
                    || (metric.workload().equals(Footprint.WORKLOAD)
                            && !metric.name().startsWith("fixed rate,"))
                    || metric.workload().equals("history");
            if (!headline) {
                continue;
            }
            for (String system : results.systems(metric)) {
                Summary s = results.summary(metric, system);
                Summary r = ratio(metric, system);
                summary.append("| ")
                        .append(metric.title())
                        .append(" | ")
                        .append(results.labelOf(system))
                        .append(" | ")
                        .append(number(s.median()))
                        .append(" | ")
                        .append(number(s.min()))
                        .append("–")
                        .append(number(s.max()))
                        .append(" | ")
                        .append(r == null ? "" : String.format(Locale.ROOT, "%.2f", r.median()))
                        .append(" |\n");
            }
        }
        summary.append("\n");
        Files.writeString(readme, text.substring(0, start) + summary + text.substring(end));
    }
}
