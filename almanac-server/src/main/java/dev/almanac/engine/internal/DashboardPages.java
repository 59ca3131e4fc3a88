package dev.almanac.engine.internal;

import dev.almanac.common.NamespaceSelection;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.FinishedPerHour;
import dev.almanac.job.JobHealth;
import dev.almanac.job.JobService;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.web.AdminPage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The admin UI's front page: job counts, what runs now, the last day's outcomes, a chart of executions over time by
 * status, recent failures and the cluster's nodes. The same numbers as {@code GET /api/admin/scheduler/status}.
 */
@AdminPage
class DashboardPages {

    private static final int UNHEALTHY_SHOWN = 10;

    static final List<ExecutionStatus> CHARTED = List.of(
            ExecutionStatus.SUCCEEDED,
            ExecutionStatus.FAILED,
            ExecutionStatus.TIMED_OUT,
            ExecutionStatus.CANCELLED,
            ExecutionStatus.SKIPPED);
    static final int CHART_WIDTH = 720;
    /** More than there are system jobs. */
    private static final int SEEDED_AT_MOST = 10;

    static final int CHART_HEIGHT = 180;
    static final int CHART_LEFT = 36;
    static final int CHART_BOTTOM = 20;
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("EEE d", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final JobService jobs;
    private final ExecutionRepository executions;
    private final FinishedPerHour finished;
    private final NodeRepository nodes;
    private final EngineProperties properties;
    private final NamespaceSelection selection;
    private final NamespaceAccess access;
    private final Clock clock;
    private final JobHealth health;

    DashboardPages(
            JobService jobs,
            ExecutionRepository executions,
            FinishedPerHour finished,
            NodeRepository nodes,
            EngineProperties properties,
            NamespaceSelection selection,
            NamespaceAccess access,
            Clock clock,
            JobHealth health) {
        this.health = health;
        this.jobs = jobs;
        this.executions = executions;
        this.finished = finished;
        this.nodes = nodes;
        this.properties = properties;
        this.selection = selection;
        this.access = access;
        this.clock = clock;
    }

    /** One stacked part of a bar. */
    public record Segment(String status, int y, int height, long count) {}

    /** One bar of the chart: a time bucket, its label and its parts. */
    public record Bar(int x, int width, String label, String title, boolean labelled, List<Segment> segments) {}

    /** The chart: bars, the largest total (the top of the axis), and whether there is anything to show. */
    public record Chart(String range, List<Bar> bars, long max, long total, int width, int height) {}

    /** A node as the dashboard shows it. */
    public record NodeRow(
            String id,
            String host,
            Instant startedAt,
            Instant heartbeatAt,
            boolean alive,
            String almanacVersion,
            Integer schemaVersion) {}

    /**
     * Whether every job is one Almanac seeded at its first start: the dashboard still leads a newcomer to create their
     * own first job, and goes on showing the numbers, failures and unhealthy schedules of the system jobs.
     */
    private boolean onlySeededJobs(long total) {
        return total > 0 && total <= SEEDED_AT_MOST && jobs.countSeeded(SEEDED_AT_MOST) == total;
    }

    @GetMapping("/")
    String dashboard(@RequestParam(required = false, defaultValue = "24h") String range, Model model) {
        Instant now = clock.instant();
        // the namespace picked in the header, or every one the reader may see (null: the whole scheduler)
        Set<String> scope = selection.scope();
        JobService.Counts counts = jobs.counts(scope);
        Map<ExecutionStatus, Long> active =
                scope == null ? executions.activeCounts() : scope.isEmpty() ? Map.of() : executions.activeCounts(scope);
        LastDay day = LastDay.before(now, finished, scope);
        model.addAttribute("namespace", selection.selected());
        model.addAttribute("total", counts.total());
        model.addAttribute("firstRun", counts.total() == 0);
        model.addAttribute("onlySeeded", scope == null && onlySeededJobs(counts.total()));
        model.addAttribute("enabled", counts.enabled());
        model.addAttribute("running", active.getOrDefault(ExecutionStatus.RUNNING, 0L));
        model.addAttribute("queued", active.getOrDefault(ExecutionStatus.QUEUED, 0L));
        model.addAttribute(
                "successRate", day.successRate() == null ? null : Math.round(1000.0 * day.successRate()) / 10.0);
        model.addAttribute("failures", day.failures());
        model.addAttribute("ran", day.ran());
        // the chart counts these too: said beside the rate, which leaves them out
        model.addAttribute("notRun", day.cancelled() + day.skipped());
        model.addAttribute("chart", chart("7d".equals(range) ? "7d" : "24h", now, scope));
        model.addAttribute(
                "charted", CHARTED.stream().map(ExecutionStatus::json).toList());
        model.addAttribute("recentFailures", recentFailures(scope));
        model.addAttribute("unhealthy", health.recent(scope, UNHEALTHY_SHOWN));
        Instant aliveSince = now.minus(properties.deadNodeThreshold());
        model.addAttribute("showNodes", access.global());
        // the cluster is the whole scheduler's, not a namespace's: for the global roles only
        model.addAttribute(
                "nodes",
                !access.global()
                        ? List.of()
                        : nodes.all().stream()
                                .map(n -> new NodeRow(
                                        n.id(),
                                        n.host(),
                                        n.startedAt(),
                                        n.heartbeatAt(),
                                        n.aliveSince(aliveSince),
                                        n.almanacVersion(),
                                        n.schemaVersion()))
                                .toList());
        return "dashboard";
    }

    private List<Execution> recentFailures(Set<String> scope) {
        return Stream.of(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)
                .flatMap(status ->
                        executions
                                .list(new ExecutionQuery(null, status, null, null, null, null, null, 8).in(scope))
                                .stream())
                .sorted(Comparator.comparing(Execution::createdAt).reversed())
                .limit(8)
                .toList();
    }

    private Chart chart(String range, Instant now, Set<String> scope) {
        boolean week = range.equals("7d");
        long bucketSeconds = week ? 6 * 3600 : 3600;
        int buckets = week ? 28 : 24;
        long lastBucket = now.getEpochSecond() / bucketSeconds;
        long firstBucket = lastBucket - buckets + 1;
        long hoursPerBucket = bucketSeconds / 3600;
        Map<Long, Map<ExecutionStatus, Long>> counts = new HashMap<>();
        finished.perHour(firstBucket * hoursPerBucket, scope)
                .forEach((hour, inHour) -> inHour.forEach((status, n) -> counts.computeIfAbsent(
                                Math.floorDiv(hour, hoursPerBucket), b -> new EnumMap<>(ExecutionStatus.class))
                        .merge(status, n, Long::sum)));
        long max = 0;
        long total = 0;
        for (long b = firstBucket; b <= lastBucket; b++) {
            long sum = counts.getOrDefault(b, Map.of()).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            max = Math.max(max, sum);
            total += sum;
        }
        int plotWidth = CHART_WIDTH - CHART_LEFT;
        int plotHeight = CHART_HEIGHT - CHART_BOTTOM;
        int slot = plotWidth / buckets;
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            long bucket = firstBucket + i;
            Instant start = Instant.ofEpochSecond(bucket * bucketSeconds);
            Map<ExecutionStatus, Long> inBucket = counts.getOrDefault(bucket, Map.of());
            List<Segment> segments = new ArrayList<>();
            int top = plotHeight;
            StringBuilder title =
                    new StringBuilder((week ? DAY.format(start) + " " : "") + HOUR.format(start) + " UTC:");
            for (ExecutionStatus status : CHARTED) {
                long n = inBucket.getOrDefault(status, 0L);
                if (n == 0) {
                    continue;
                }
                int height = max == 0 ? 0 : (int) Math.max(1, Math.round((double) n * plotHeight / max));
                top -= height;
                segments.add(new Segment(status.json(), top, height, n));
                title.append(' ').append(n).append(' ').append(status.json().replace('_', ' '));
            }
            if (segments.isEmpty()) {
                title.append(" nothing ended");
            }
            // a label where a day (the week) or a third hour (the day) starts, in UTC as the titles say
            long hourOfDay = Math.floorMod(start.getEpochSecond(), 86_400L) / 3600;
            boolean labelled = week ? hourOfDay == 0 : hourOfDay % 3 == 0;
            String label = week ? DAY.format(start) : HOUR.format(start);
            bars.add(new Bar(
                    CHART_LEFT + i * slot + 1, Math.max(2, slot - 3), label, title.toString(), labelled, segments));
        }
        return new Chart(range, bars, max, total, CHART_WIDTH, CHART_HEIGHT);
    }
}
