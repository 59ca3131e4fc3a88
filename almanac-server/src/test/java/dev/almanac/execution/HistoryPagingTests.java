package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.common.JdbcTime;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;

/** The execution history as a client and a reader walk it: its filters and its pages, on H2 and PostgreSQL. */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class HistoryPagingTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HistoryPagingTests {}

    @WithPostgres
    static class OnPostgres extends HistoryPagingTests {}

    static final String API = "/api/admin/scheduler";
    private static final Pattern OLDER = Pattern.compile("href=\"(/executions\\?[^\"]*before=[^\"]*)\"");
    private static final Pattern ROW_ID = Pattern.compile("href=\"/executions/([0-9a-f-]{36})\"");

    UUID job;

    @BeforeEach
    void aJob() throws Exception {
        job = UUID.fromString(JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"name\":\"walked\",\"template_type\":\"heartbeat\","
                                        + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}"))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id"));
    }

    @Test
    void thePageFiltersBackfillRunsByKindAndByBackfill() throws Exception {
        UUID scheduled = run("scheduler", 0);
        UUID ofOne = run("backfill:11111111-1111-1111-1111-111111111111", 1);
        UUID ofAnother = run("backfill:22222222-2222-2222-2222-222222222222", 2);
        UUID manual = run("manual:alice", 3);

        assertThat(rowsOf(page("/executions?triggered_by=backfill"))).containsExactly(ofAnother, ofOne);
        assertThat(rowsOf(page("/executions?triggered_by=backfill:11111111-1111-1111-1111-111111111111")))
                .containsExactly(ofOne);
        assertThat(rowsOf(page("/executions?triggered_by=manual:alice"))).containsExactly(manual);
        assertThat(rowsOf(page("/executions?triggered_by=scheduler"))).containsExactly(scheduled);

        String offered = page("/executions");
        assertThat(offered).contains("<option value=\"backfill\">backfill</option>");
        assertThat(offered).doesNotContain("<option value=\"api\">");
        assertThat(page("/executions?triggered_by=backfill:11111111-1111-1111-1111-111111111111"))
                .contains("value=\"backfill:11111111-1111-1111-1111-111111111111\" selected");

        String unknown = page("/executions?triggered_by=api");
        assertThat(rowsOf(unknown)).hasSize(4);
        assertThat(unknown).contains("Started by &#39;api&#39; is none of");
    }

    /** A client walking the failures while each page's last run is deleted (by hand, or by retention) meets no gap. */
    @Test
    void theApiWalksOnPastACursorRowDeletedMeanwhile() throws Exception {
        for (int i = 0; i < 7; i++) {
            // two failures a second: the cursor's id decides between them
            runAt("scheduler", START.plusSeconds(i / 2), "failed");
            run("scheduler", i);
        }
        List<UUID> failed = jdbc.sql(
                        "SELECT id FROM executions WHERE status = 'failed' ORDER BY created_at DESC, id DESC")
                .query(UUID.class)
                .list();
        List<UUID> walked = new ArrayList<>();
        String before = null;
        do {
            var call = get(API + "/executions").param("status", "failed").param("limit", "2");
            String page = mvc.perform(before == null ? call : call.param("before", before))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            List<String> ids = JsonPath.read(page, "$.executions[*].id");
            ids.forEach(id -> walked.add(UUID.fromString(id)));
            before = JsonPath.read(page, "$.next_before");
            if (before != null) {
                mvc.perform(delete(API + "/executions/" + ids.get(ids.size() - 1)))
                        .andExpect(status().isOk());
            }
        } while (before != null);
        assertThat(walked).containsExactlyElementsOf(failed);
    }

    @Test
    void aJobsHistoryWalksOnPastACursorRowDeletedMeanwhile() throws Exception {
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            runs.add(0, run("scheduler", i));
        }
        List<UUID> walked = new ArrayList<>();
        String before = null;
        do {
            var call = get(API + "/jobs/" + job + "/executions").param("limit", "2");
            String page = mvc.perform(before == null ? call : call.param("before", before))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            List<String> ids = JsonPath.read(page, "$.executions[*].id");
            ids.forEach(id -> walked.add(UUID.fromString(id)));
            before = JsonPath.read(page, "$.next_before");
            if (before != null) {
                jdbc.sql("DELETE FROM executions WHERE id = ?")
                        .param(UUID.fromString(ids.get(ids.size() - 1)))
                        .update();
            }
        } while (before != null);
        assertThat(walked).containsExactlyElementsOf(runs);
    }

    @Test
    void aCursorThatIsNoneOfOursIsRefusedNamingBeforeAndAnExecutionIdIsStillRead() throws Exception {
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(0, run("scheduler", i));
        }
        for (String bad : new String[] {"x", "bm90IGEgY3Vyc29y", "MjAyNi0wNi0wMVQxMDowMDowMFp8bm90LWFuLWlk"}) {
            mvc.perform(get(API + "/executions").param("before", bad))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("before"));
            mvc.perform(get(API + "/jobs/" + job + "/executions").param("before", bad))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("before"));
        }
        // made by hand, in the cursor's form, with a time no database column holds: a 400, not the database's 500
        String far = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("+999999999-12-31T23:59:59Z|" + UUID.randomUUID())
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String list : new String[] {"/executions", "/jobs/" + job + "/executions", "/audit"}) {
            mvc.perform(get(API + list).param("before", far))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("before"));
        }
        assertThat(page("/executions?before=" + far)).contains("could not be read");
        mvc.perform(get(API + "/executions").param("before", runs.get(0).toString()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.executions[0].id").value(runs.get(1).toString()));
        mvc.perform(get(API + "/executions").param("before", UUID.randomUUID().toString()))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("before"));
    }

    /**
     * A last page that is exactly full offers no next one: the API's {@code next_before} is null and the page has no
     * "Older" link, where both led to an empty page.
     */
    @Test
    void aLastPageThatIsExactlyFullOffersNoNextPage() throws Exception {
        for (int i = 0; i < 100; i++) {
            run("scheduler", i);
        }
        for (String path : new String[] {API + "/executions", API + "/jobs/" + job + "/executions"}) {
            String first = mvc.perform(get(path).param("limit", "50"))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(JsonPath.<String>read(first, "$.next_before")).as(path).isNotNull();
            String last = mvc.perform(get(path)
                            .param("limit", "50")
                            .param("before", JsonPath.<String>read(first, "$.next_before")))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(JsonPath.<List<String>>read(last, "$.executions[*].id"))
                    .as(path)
                    .hasSize(50);
            assertThat(JsonPath.<String>read(last, "$.next_before")).as(path).isNull();
        }
        String html = page("/executions");
        assertThat(rowsOf(html)).hasSize(50);
        Matcher older = OLDER.matcher(html);
        assertThat(older.find()).isTrue();
        String second = page(older.group(1).replace("&amp;", "&"));
        assertThat(rowsOf(second)).hasSize(50);
        assertThat(OLDER.matcher(second).find()).as("no link to an empty page").isFalse();

        long events =
                jdbc.sql("SELECT count(*) FROM audit_events").query(Long.class).single();
        String audit = mvc.perform(get(API + "/audit").param("limit", Long.toString(events)))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(JsonPath.<List<String>>read(audit, "$.events[*].id")).hasSize((int) events);
        assertThat(JsonPath.<String>read(audit, "$.next_before")).isNull();
    }

    /** "Older →" on the history page goes on past a run deleted since, and never shows a run twice. */
    @Test
    void thePageWalksOnPastACursorRowDeletedMeanwhile() throws Exception {
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            runs.add(0, run("scheduler", i));
        }
        List<UUID> walked = new ArrayList<>();
        String path = "/executions?triggered_by=scheduler";
        int pages = 0;
        while (path != null) {
            String html = page(path);
            List<UUID> rows = rowsOf(html);
            walked.addAll(rows);
            pages++;
            Matcher older = OLDER.matcher(html);
            path = older.find() ? older.group(1).replace("&amp;", "&") : null;
            if (path != null) {
                assertThat(path).contains("triggered_by=scheduler");
                jdbc.sql("DELETE FROM executions WHERE id = ?")
                        .param(rows.get(rows.size() - 1))
                        .update();
            }
        }
        assertThat(pages).isEqualTo(3);
        assertThat(walked).containsExactlyElementsOf(runs);
        assertThat(page("/executions?before=not-a-cursor")).contains("could not be read");
    }

    @Test
    void theAuditTrailWalksOnPastACursorEventDeletedMeanwhile() throws Exception {
        for (int i = 0; i < 4; i++) {
            clock.advance(java.time.Duration.ofSeconds(1));
            mvc.perform(post(API + "/jobs")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"audited-" + i + "\",\"template_type\":\"heartbeat\","
                                    + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}"))
                    .andExpect(status().isCreated());
        }
        List<String> events = jdbc.sql("SELECT id FROM audit_events ORDER BY occurred_at DESC, id DESC")
                .query(String.class)
                .list();
        assertThat(events).hasSizeGreaterThanOrEqualTo(5);
        List<String> walked = new ArrayList<>();
        String before = null;
        do {
            var call = get(API + "/audit").param("limit", "2");
            String page = mvc.perform(before == null ? call : call.param("before", before))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            List<String> ids = JsonPath.read(page, "$.events[*].id");
            walked.addAll(ids);
            before = JsonPath.read(page, "$.next_before");
            if (before != null) {
                jdbc.sql("DELETE FROM audit_events WHERE id = ?")
                        .param(UUID.fromString(ids.get(ids.size() - 1)))
                        .update();
            }
        } while (before != null);
        assertThat(walked).containsExactlyElementsOf(events);
        mvc.perform(get(API + "/audit").param("before", "x"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("before"));
    }

    /** An ended run of the job, {@code second} seconds after the start, started by {@code trigger}. */
    UUID run(String trigger, int second) {
        return runAt(trigger, START.plusSeconds(second), "succeeded");
    }

    UUID runAt(String trigger, Instant at, String outcome) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                run_after, created_at, started_at, completed_at, duration_ms,
                                                dry_run, parameters, triggered_by, cancel_requested)
                        VALUES (?, ?, 1, 'walked', 'heartbeat', ?, 1, ?, ?, ?, ?, 1, FALSE, '{}', ?, FALSE)
                        """)
                .params(
                        id,
                        job,
                        outcome,
                        JdbcTime.utc(at),
                        JdbcTime.utc(at),
                        JdbcTime.utc(at),
                        JdbcTime.utc(at),
                        trigger)
                .update();
        return id;
    }

    String page(String path) throws Exception {
        return mvc.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    /** The runs a history page lists, in its order. */
    static List<UUID> rowsOf(String html) {
        List<UUID> rows = new ArrayList<>();
        Matcher row = ROW_ID.matcher(html);
        while (row.find()) {
            UUID id = UUID.fromString(row.group(1));
            if (!rows.contains(id)) {
                rows.add(id);
            }
        }
        return rows;
    }
}
