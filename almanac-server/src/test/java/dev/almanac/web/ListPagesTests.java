package dev.almanac.web;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;

/**
 * The lists for real work: the job list sorted by a header link (with aria-sort), paged 25, 50 or 100 at a time, and
 * its bulk actions behind a confirmation, each job refused on its own; the execution history filtered like
 * {@code GET /executions}.
 */
@WithH2
class ListPagesTests extends AlmanacIntegrationTest {

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    MockMvc ui;

    @BeforeEach
    void throughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void sortsTheJobListByNameNextRunLastRunAndOutcomeFromItsHeaders() throws Exception {
        Job alpha = jobs.create(aCronJob("alpha", "0 3 * * *").build(), "root");
        Job bravo = jobs.create(aCronJob("bravo", "0 1 * * *").build(), "root");
        Job charlie = jobs.create(aCronJob("charlie", "0 2 * * *").build(), "root");
        outcome(alpha, "succeeded", "2026-06-01T09:00:00Z");
        outcome(bravo, "failed", "2026-06-01T07:00:00Z");
        outcome(charlie, "timed_out", "2026-06-01T08:00:00Z");

        String byName = page(get("/jobs"), superAdmin());
        assertThat(order(byName, "alpha", "bravo", "charlie")).isTrue();
        assertThat(byName)
                .contains("aria-sort=\"ascending\"><a href=\"/jobs?sort=-name\">Name</a></th>")
                .contains("<a href=\"/jobs?sort=next_run_at\">Next run</a>");

        String reversed = page(get("/jobs").param("sort", "-name"), superAdmin());
        assertThat(order(reversed, "charlie", "bravo", "alpha")).isTrue();
        assertThat(reversed).contains("aria-sort=\"descending\"><a href=\"/jobs\">Name</a>");

        assertThat(order(page(get("/jobs").param("sort", "next_run_at"), superAdmin()), "bravo", "charlie", "alpha"))
                .isTrue();
        assertThat(order(page(get("/jobs").param("sort", "-last_run_at"), superAdmin()), "alpha", "charlie", "bravo"))
                .isTrue();
        String byOutcome = page(get("/jobs").param("sort", "last_status"), superAdmin());
        assertThat(order(byOutcome, "bravo", "alpha", "charlie")).isTrue();
        assertThat(byOutcome)
                .contains("aria-sort=\"ascending\"><a href=\"/jobs?sort=-last_status\">Outcome</a>")
                .contains("name=\"sort\" value=\"last_status\"");
    }

    @Test
    void showsTwentyFiveFiftyOrAHundredJobsAPageAndKeepsTheChoiceAndOrderWhenPaging() throws Exception {
        for (int i = 0; i < 60; i++) {
            jobs.create(aCronJob(String.format("job-%02d", i), "0 2 * * *").build(), "root");
        }
        String first = page(get("/jobs"), superAdmin());
        assertThat(first).contains("job-24", "page 1 of 3").doesNotContain("job-25");

        String fifty = page(get("/jobs").param("size", "50").param("sort", "-name"), superAdmin());
        assertThat(fifty)
                .contains("job-59", "job-10", "page 1 of 2", "<option value=\"50\" selected=\"selected\">50</option>")
                .doesNotContain("job-09")
                .contains("href=\"/jobs?sort=-name&amp;size=50&amp;page=2\"");
        assertThat(page(get("/jobs").param("size", "100"), superAdmin())).contains("job-00", "job-59", "page 1 of 1");
        assertThat(page(get("/jobs").param("size", "7"), superAdmin()))
                .as("a size not offered falls back to 25")
                .contains("page 1 of 3");
    }

    @Test
    void aPagePastTheEndOffersTheLastPageInsteadOfSayingThereAreNoJobs() throws Exception {
        for (int i = 0; i < 30; i++) {
            jobs.create(aCronJob(String.format("job-%02d", i), "0 2 * * *").build(), "root");
        }
        String beyond = page(get("/jobs").param("page", "9").param("size", "25"), superAdmin());
        assertThat(beyond)
                .contains("id=\"past-the-end\"", "Page 9 is past the end", "href=\"/jobs?page=2\"")
                .doesNotContain("No jobs yet", "No job matches these filters");

        String filtered = page(
                get("/jobs").param("search", "job-").param("page", "3").header("HX-Request", "true"), superAdmin());
        assertThat(filtered)
                .contains(
                        "Page 3 is past the end", "30 jobs match, on 2 pages", "href=\"/jobs?search=job-&amp;page=2\"")
                .doesNotContain("No job matches these filters", "<html");
        assertThat(page(get("/jobs").param("search", "nothing-like-it").param("page", "2"), superAdmin()))
                .contains("No job matches these filters")
                .doesNotContain("past-the-end");
    }

    @Test
    void bulkActionsAreConfirmedThenDoneJobByJobWithEachRefusalNamed() throws Exception {
        Job destroyer = jobs.create(
                anIntervalJob("destroyer", 3600)
                        .template("test_destroy", Map.of())
                        .build(),
                "root");
        Job beat = jobs.create(anIntervalJob("beat", 3600).build(), "root");
        Job ping = jobs.create(anIntervalJob("ping", 3600).build(), "root");

        String list = page(get("/jobs"), admin());
        assertThat(list)
                .contains("<form id=\"bulk\"", "name=\"id\" form=\"bulk\" value=\"" + beat.id() + "\"")
                .contains("value=\"" + destroyer.id() + "\" aria-label=\"Select destroyer: needs a super admin")
                .containsPattern("value=\"" + destroyer.id() + "\"[^>]* disabled=\"disabled\"");

        String confirmation = page(
                post("/jobs/bulk")
                        .with(csrf())
                        .param("action", "disable")
                        .param("back", "/jobs?size=50")
                        .param(
                                "id",
                                beat.id().toString(),
                                ping.id().toString(),
                                destroyer.id().toString()),
                admin());
        assertThat(confirmation)
                .contains("Disable 2 jobs?", "id=\"bulk-refused\"", "destroyer", "needs a super admin")
                .contains("name=\"id\" value=\"" + beat.id() + "\"")
                .doesNotContain("name=\"id\" value=\"" + destroyer.id() + "\"");
        assertThat(jobs.get(beat.id()).definition().enabled())
                .as("nothing is done before the confirmation")
                .isTrue();

        // a confirmed post that still names the destructive job: refused by the same check as the single action
        MvcResult done = ui.perform(post("/jobs/bulk")
                        .with(csrf())
                        .with(admin())
                        .param("action", "disable")
                        .param("confirmed", "yes")
                        .param("back", "/jobs?size=50")
                        .param(
                                "id",
                                beat.id().toString(),
                                ping.id().toString(),
                                destroyer.id().toString()))
                .andReturn();
        assertThat(done.getResponse().getRedirectedUrl()).isEqualTo("/jobs?size=50");
        assertThat(done.getFlashMap().get("flash")).isEqualTo("Disable: 2 of 3 jobs disabled; 1 refused.");
        assertThat(jobs.get(beat.id()).definition().enabled()).isFalse();
        assertThat(jobs.get(ping.id()).definition().enabled()).isFalse();
        assertThat(jobs.get(destroyer.id()).definition().enabled()).isTrue();
        String after = page(get("/jobs").flashAttrs(done.getFlashMap()), admin());
        assertThat(after).contains("id=\"bulk-refusals\"", "destroyer", "only a super admin may");

        MvcResult ran = ui.perform(post("/jobs/bulk")
                        .with(csrf())
                        .with(superAdmin())
                        .param("action", "run")
                        .param("confirmed", "yes")
                        .param("id", beat.id().toString(), destroyer.id().toString()))
                .andReturn();
        assertThat(ran.getFlashMap().get("flash")).isEqualTo("Run now: 2 of 2 jobs queued to run.");
        assertThat(executions.list(ExecutionQuery.ofJob(beat.id(), 10))).hasSize(1);

        MvcResult deleted = ui.perform(post("/jobs/bulk")
                        .with(csrf())
                        .with(superAdmin())
                        .param("action", "delete")
                        .param("confirmed", "yes")
                        .param("id", beat.id().toString(), ping.id().toString()))
                .andReturn();
        assertThat(deleted.getFlashMap().get("flash")).isEqualTo("Delete: 2 of 2 jobs deleted.");
        assertThat(jobs.find(beat.id())).isEmpty();

        MvcResult nothing = ui.perform(
                        post("/jobs/bulk").with(csrf()).with(admin()).param("action", "enable"))
                .andReturn();
        assertThat(nothing.getFlashMap().get("flash")).asString().contains("nothing was done");
    }

    @Test
    void theExecutionListFiltersByJobTemplateStatusTriggerAndTimeLikeTheApi() throws Exception {
        Job beat = jobs.create(anIntervalJob("beat", 3600).build(), "root");
        Job broken = jobs.create(
                anIntervalJob("broken", 3600)
                        .template("test_fail", Map.of("key", "list"))
                        .build(),
                "root");
        run(beat);
        run(broken);

        assertThat(page(get("/executions"), superAdmin())).contains(">beat<", ">broken<");
        assertThat(page(get("/executions").param("template_type", "test_fail"), superAdmin()))
                .contains(">broken<")
                .doesNotContain(">beat<")
                .contains("<option value=\"test_fail\" selected=\"selected\"");
        assertThat(page(get("/executions").param("job_id", beat.id().toString()), superAdmin()))
                .contains(">beat<")
                .doesNotContain(">broken<");
        assertThat(page(get("/executions").param("triggered_by", "manual"), superAdmin()))
                .contains(">beat<", ">broken<");
        assertThat(page(get("/executions").param("triggered_by", "scheduler"), superAdmin()))
                .contains("No run matches these filters");
        assertThat(page(get("/executions").param("status", "queued"), superAdmin()))
                .contains(">beat<")
                // a run waiting for a worker has no start time to show under "Started"
                .contains("not started", "queued ");
        assertThat(page(get("/executions").param("status", "failed"), superAdmin()))
                .contains("No run matches these filters");
        assertThat(page(
                        get("/executions").param("from", "2026-06-01T09:00").param("to", "2026-06-01T11:00"),
                        superAdmin()))
                .contains(">beat<", "value=\"2026-06-01T09:00\"", "value=\"2026-06-01T11:00\"");
        assertThat(page(get("/executions").param("from", "2026-06-01T10:30"), superAdmin()))
                .contains("No run matches these filters")
                .doesNotContain("filter-unread");
        // a time that is none, or beyond the years a date holds, is left out, and the list says so (htmx too)
        for (String unread : new String[] {"yesterday", "+10000-01-01T00:00"}) {
            assertThat(page(get("/executions").param("from", unread).header("HX-Request", "true"), superAdmin()))
                    .contains("id=\"filter-unread\"", "is not a date and time", "not applied", ">beat<");
        }
        assertThat(page(get("/executions").param("to", "soon"), superAdmin()))
                .contains("To &#39;soon&#39; is not a date and time");
        // a range the wrong way round says so, not only "no run matches"
        assertThat(page(
                        get("/executions").param("from", "2026-06-01T11:00").param("to", "2026-06-01T09:00"),
                        superAdmin()))
                .contains("id=\"filter-unread\"", "To is not after From");
    }

    @Test
    void pagingTheExecutionListKeepsTheSecondsOfFromAndTo() throws Exception {
        Job beat = jobs.create(anIntervalJob("beat", 3600).build(), "root");
        run(beat);
        String newest = ui.perform(
                        post("/jobs/" + beat.id() + "/run").with(csrf()).with(superAdmin()))
                .andReturn()
                .getResponse()
                .getHeader("Location")
                .substring("/executions/".length());

        String older = page(
                get("/executions")
                        .param("from", "2026-06-01T09:00:30")
                        .param("to", "2026-06-01T11:00:45")
                        .param("before", newest),
                superAdmin());

        assertThat(older)
                .contains("value=\"2026-06-01T09:00:30\"", "value=\"2026-06-01T11:00:45\"")
                .contains("href=\"/executions?from=2026-06-01T09:00:30&amp;to=2026-06-01T11:00:45\"")
                .doesNotContain("from=2026-06-01T09:00&amp;");
    }

    @Test
    void anExecutionStatusOrJobIdItCannotReadIsSaidAboveTheListAsATimeIs() throws Exception {
        Job beat = jobs.create(anIntervalJob("beat", 3600).build(), "root");
        run(beat);

        assertThat(page(get("/executions").param("status", "bogus"), superAdmin()))
                .contains(
                        "id=\"filter-unread\"", "Status &#39;bogus&#39; is none of queued, ", "not applied", ">beat<");
        assertThat(page(get("/executions").param("job_id", "nothex").header("HX-Request", "true"), superAdmin()))
                .contains("id=\"filter-unread\"", "Job &#39;nothex&#39; is not a job&#39;s id", ">beat<")
                .doesNotContain("<html");
        assertThat(page(
                        get("/executions")
                                .param("status", "queued")
                                .param("job_id", beat.id().toString()),
                        superAdmin()))
                .doesNotContain("filter-unread");
    }

    private void run(Job job) throws Exception {
        ui.perform(post("/jobs/" + job.id() + "/run").with(csrf()).with(superAdmin()));
    }

    private void outcome(Job job, String status, String at) {
        jdbc.sql("UPDATE jobs SET last_status = ?, last_run_at = ? WHERE id = ?")
                .params(
                        status,
                        java.sql.Timestamp.from(java.time.Instant.parse(at)),
                        job.id().value())
                .update();
    }

    @Test
    void aFilterItCannotReadIsSaidAboveTheListNotAnsweredWithAnError() throws Exception {
        jobs.create(aCronJob("alpha", "0 3 * * *").build(), "root");

        String wrongPage = page(get("/jobs").param("page", "two"), superAdmin());
        assertThat(wrongPage).contains("id=\"filter-errors\"", "page: not understood", ">alpha</a>");

        String pageZero = page(get("/jobs").param("page", "0").param("search", "alp"), superAdmin());
        assertThat(pageZero).contains("page: must be 1 or more", ">alpha</a>").contains("value=\"alp\"");

        String wrongState = page(get("/jobs").param("enabled", "maybe"), superAdmin());
        assertThat(wrongState).contains("enabled: not understood", ">alpha</a>");

        assertThat(page(get("/jobs").param("size", "50"), superAdmin())).doesNotContain("filter-errors");
    }

    /** Whether the names appear in this order (as the links of the list's rows). */
    private static boolean order(String html, String... names) {
        int at = -1;
        for (String name : names) {
            int next = html.indexOf(">" + name + "</a>");
            if (next <= at) {
                return false;
            }
            at = next;
        }
        return true;
    }

    private String page(MockHttpServletRequestBuilder request, RequestPostProcessor who) throws Exception {
        MockHttpServletResponse response =
                ui.perform(request.with(who)).andReturn().getResponse();
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }

    private static RequestPostProcessor admin() {
        return user("amy").roles("ADMIN");
    }

    private static RequestPostProcessor superAdmin() {
        return user("root").roles("SUPER_ADMIN");
    }
}
