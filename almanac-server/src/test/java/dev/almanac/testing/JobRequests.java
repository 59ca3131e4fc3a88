package dev.almanac.testing;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.JobRequest.RetryPolicyJson;
import dev.almanac.schedule.ScheduleSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Test data: {@code aCronJob("report", "0 2 * * *").in("Europe/Berlin").build()}. */
public final class JobRequests {

    private CalendarRefs calendars;

    private String name;
    private String template = "heartbeat";
    private Map<String, Object> parameters = Map.of();
    private ScheduleSpec schedule;
    private String zone;
    private Boolean enabled;
    private Integer priority;
    private Integer timeout;
    private RetryPolicyJson retries;
    private String concurrency;
    private String misfire;
    private Integer catchUpWindow;
    private List<String> dependsOn;
    private NotificationsJson notifications;
    private String namespace;

    private JobRequests(String name, ScheduleSpec schedule) {
        this.name = name;
        this.schedule = schedule;
    }

    public static JobRequests aCronJob(String name, String cron) {
        return new JobRequests(name, new ScheduleSpec("cron", cron, null, null, null));
    }

    public static JobRequests anIntervalJob(String name, long seconds) {
        return new JobRequests(name, new ScheduleSpec("interval", null, seconds, null, null));
    }

    public static JobRequests aOneTimeJob(String name, String runAt) {
        return new JobRequests(name, new ScheduleSpec("once", null, null, runAt, null));
    }

    public JobRequests in(String zone) {
        this.zone = zone;
        return this;
    }

    public JobRequests template(String type, Map<String, Object> parameters) {
        this.template = type;
        this.parameters = parameters;
        return this;
    }

    public JobRequests priority(int priority) {
        this.priority = priority;
        return this;
    }

    public JobRequests timeout(int seconds) {
        this.timeout = seconds;
        return this;
    }

    public JobRequests retries(int max, int delaySeconds, double multiplier) {
        this.retries = new RetryPolicyJson(max, delaySeconds, multiplier);
        return this;
    }

    public JobRequests concurrency(String policy) {
        this.concurrency = policy;
        return this;
    }

    public JobRequests misfire(String policy, Integer catchUpWindowSeconds) {
        this.misfire = policy;
        this.catchUpWindow = catchUpWindowSeconds;
        return this;
    }

    public JobRequests dependsOn(JobId... upstream) {
        this.dependsOn = Arrays.stream(upstream).map(JobId::toString).toList();
        return this;
    }

    public JobRequests notifications(NotificationsJson notifications) {
        this.notifications = notifications;
        return this;
    }

    public JobRequests calendars(CalendarRefs calendars) {
        this.calendars = calendars;
        return this;
    }

    public JobRequests namespace(String namespace) {
        this.namespace = namespace;
        return this;
    }

    public JobRequests disabled() {
        this.enabled = false;
        return this;
    }

    public JobRequest build() {
        ScheduleSpec spec = new ScheduleSpec(
                schedule.type(), schedule.expression(), schedule.intervalSeconds(), schedule.runAt(), zone);
        return new JobRequest(
                name,
                null,
                template,
                parameters,
                spec,
                enabled,
                priority,
                timeout,
                retries,
                concurrency,
                misfire,
                catchUpWindow,
                dependsOn,
                notifications,
                null,
                null,
                null,
                null,
                null,
                calendars,
                namespace);
    }
}
