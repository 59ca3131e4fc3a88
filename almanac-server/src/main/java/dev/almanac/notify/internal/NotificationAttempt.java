package dev.almanac.notify.internal;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.execution.ExecutionId;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.UUID;

/**
 * One attempt to tell someone.
 *
 * @param event success, failure, retry, recovered, missed_run or auto_paused
 * @param channel email, webhook or slack
 * @param recipient the e-mail address, or the webhook URL cut to scheme and host
 * @param outcome sent, failed, or suppressed (the incident was told about already)
 * @param detail the message id, the HTTP status, the error, or why it was suppressed
 */
public record NotificationAttempt(
        UUID id,
        @JsonIgnore JobId jobId,
        @JsonIgnore ExecutionId executionId,
        String event,
        String channel,
        String recipient,
        String outcome,
        String detail,
        Instant attemptedAt) {

    @JsonProperty("job_id")
    String jobIdText() {
        return jobId.toString();
    }

    @JsonProperty("execution_id")
    String executionIdText() {
        return executionId == null ? null : executionId.toString();
    }
}
