package dev.almanac.web;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.artifact.Artifacts;
import dev.almanac.audit.AuditTrail;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;

/**
 * The admin pages that manage Almanac itself (audit log, users, API tokens, import / export) and an execution's
 * artifacts, rendered by the real application on H2 and PostgreSQL through the UI's filter chain, asserted on their
 * HTML; each as the role that may use it, the roles that may not, and without a CSRF token.
 */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class ManagementPagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ManagementPagesTests {}

    @WithPostgres
    static class OnPostgres extends ManagementPagesTests {}

    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>");
    private static final Pattern EVENT_HANDLER = Pattern.compile("\\son[a-z]+=\"", Pattern.CASE_INSENSITIVE);
    private static final String API = "/api/admin/scheduler";

    @Autowired
    WebApplicationContext context;

    /** The pages as a browser session sees them; the inherited {@code mvc} is the API with a super admin's token. */
    MockMvc ui;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    Artifacts artifacts;

    @Autowired
    AuditTrail audit;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void theNavigationOffersEachRoleOnlyThePagesItMayOpen() throws Exception {
        assertThat(page("/"))
                .contains("href=\"/audit\">Audit log<", "href=\"/users\">Users<")
                .contains("href=\"/tokens\">API tokens<", "href=\"/import\">Import / export<");
        assertThat(page("/", asAdmin()))
                .doesNotContain("href=\"/audit\"", "href=\"/users\"")
                .contains("href=\"/tokens\">API tokens<", "href=\"/import\">Import / export<");
        assertThat(page("/audit")).contains("aria-current=\"page\">Audit log<");
    }

    @Test
    void theAuditLogShowsWhoChangedWhatWithTheBeforeAndAfterOfAnUpdate() throws Exception {
        assertThat(page("/audit")).contains("Nothing recorded yet");
        String id = createThroughTheApi("audited", "0 2 * * *");
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"version\":1,\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}"))
                .andExpect(status().isOk());

        String html = page("/audit");
        assertThat(html)
                .contains(">job.updated<", ">job.created<", "audited", "test-super-admin", "via token:")
                .contains("<summary>definition</summary>", "&quot;expression&quot; : &quot;0 2 * * *&quot;")
                .contains("schedule.expression")
                .contains("class=\"old\">0 2 * * *<", "class=\"new\">0 3 * * *<")
                .contains("127.0.0.1");
        assertThat(page("/audit?action=job.updated")).contains(">job.updated<").doesNotContain(">job.created<");
        assertThat(page("/audit?action=job")).contains(">job.updated<", ">job.created<");
        assertThat(page("/audit?actor=someone-else")).contains("No event matches these filters");
        assertThat(page("/audit?target=audited")).contains(">job.updated<");
        assertThat(page("/audit?target=" + id)).contains(">job.updated<");
        assertThat(page("/audit?from=2026-06-01T09:59")).contains(">job.updated<");
        assertThat(page("/audit?to=2026-06-01T09:59")).contains("No event matches these filters");
        assertThat(badFilter("/audit?from=yesterday"))
                .contains("id=\"from-error\">must be a date and time in UTC", "aria-invalid=\"true\"");
        assertThat(badFilter("/audit?from=2026-06-02T00:00&to=2026-06-01T00:00"))
                .contains("id=\"to-error\">must be after from");
        // over htmx only the results are swapped in: they say it too, not an empty region
        assertThat(tight(ui.perform(get("/audit").param("from", "yesterday").header("HX-Request", "true"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("id=\"filter-problems\"", "the filter could not be read", "From must be a date and time")
                .doesNotContain("<html");

        String fragment =
                tight(ui.perform(get("/audit").param("action", "job.created").header("HX-Request", "true"))
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString());
        assertThat(fragment).contains("id=\"results\"", ">job.created<").doesNotContain("<html", ">job.updated<");
    }

    @Test
    void theAuditLogPagesOlderEventsByKeyset() throws Exception {
        for (int i = 0; i < 52; i++) {
            clock.advance(Duration.ofSeconds(1));
            audit.record("test", "user.updated", AuditTrail.SUCCESS, AuditTrail.Target.of("user", null, "u" + i), null);
        }
        String first = page("/audit");
        assertThat(first).contains(">u51<", ">u2<", "Older →").doesNotContain(">u1<", "← Newest");
        Matcher next = Pattern.compile("rel=\"next\"\\s+href=\"(/audit\\?[^\"]*before=[^\"]+)\"")
                .matcher(first);
        assertThat(next.find()).isTrue();
        String second = page(next.group(1).replace("&amp;", "&"));
        assertThat(second).contains(">u1<", ">u0<", "← Newest").doesNotContain(">u2<", "Older →");
        assertThat(badFilter("/audit?before=" + UUID.randomUUID()))
                .contains("id=\"before-error\"", "This page of the log no longer exists");
    }

    @Test
    void aFilterOrLinkTheAuditPageCannotReadIsA400SaidAtTheFilters() throws Exception {
        audit.record("test", "user.updated", AuditTrail.SUCCESS, AuditTrail.Target.of("user", null, "u0"), null);

        String badCursor = badFilter("/audit?before=bad");
        assertThat(badCursor)
                .contains("<form class=\"filters", "id=\"before-error\"", "The link to older events could not be read")
                .contains("href=\"/audit\">Newest events</a>")
                .doesNotContain(">u0<");
        int filters = badCursor.indexOf("<form class=\"filters");
        assertThat(badCursor.indexOf("id=\"before-error\""))
                .as("in the filter form")
                .isBetween(filters, badCursor.indexOf("</form>", filters));

        String fragment = tight(ui.perform(get("/audit?to=later").header("HX-Request", "true"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(fragment).contains("id=\"filter-problems\"", "To must be a date and time in UTC");
        assertThat(page("/audit")).contains(">u0<");
    }

    @Test
    void onlySuperAdminsSeeTheAuditLogAndTheUsers() throws Exception {
        for (String path : List.of("/audit", "/users", "/users/" + UUID.randomUUID() + "/delete")) {
            ui.perform(get(path).with(asAdmin())).andExpect(status().isForbidden());
            ui.perform(get(path).with(user("someone").roles("USER"))).andExpect(status().isForbidden());
        }
        UUID alice = logins.user("alice", TestLogins.ADMIN, "alice-has-a-long-password");
        ui.perform(post("/users/" + alice + "/disable").with(csrf()).with(asAdmin()))
                .andExpect(status().isForbidden());
        assertThat(enabled(alice)).isTrue();
        ui.perform(get("/tokens").with(user("someone").roles("USER"))).andExpect(status().isForbidden());
        ui.perform(get("/import").with(user("someone").roles("USER"))).andExpect(status().isForbidden());
    }

    @Test
    void usersAreCreatedWithTheirRoleAndMistakesAreShownNextToTheField() throws Exception {
        logins.user("admin", TestLogins.SUPER_ADMIN, null);
        assertThat(page("/users"))
                .contains("<strong>admin</strong>", "class=\"tag\">you<", "Create a user")
                .contains("for=\"username\"", "for=\"new-password\"", "At least 12 characters");

        String refused = tight(ui.perform(post("/users")
                        .with(csrf())
                        .param("username", "bob")
                        .param("role", "ADMIN")
                        .param("password", "short"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(refused)
                .contains("id=\"password-error\">must be at least 12 characters<", "value=\"bob\"")
                .contains("The user was not created");

        ui.perform(post("/users")
                        .with(csrf())
                        .param("username", "bob")
                        .param("role", "ADMIN")
                        .param("password", "bob-has-a-long-password"))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/users"));
        assertThat(role("bob")).isEqualTo("ADMIN");
        assertThat(page("/users")).contains("user-bob");

        String taken = tight(ui.perform(post("/users")
                        .with(csrf())
                        .param("username", "bob")
                        .param("role", "USER")
                        .param("password", "another-long-password"))
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(taken).contains("id=\"username-error\">a user named &#39;bob&#39; already exists<");
        // a name that differs only in case would read as the same person in the audit trail and member lists
        String alike = tight(ui.perform(post("/users")
                        .with(csrf())
                        .param("username", "BOB")
                        .param("role", "USER")
                        .param("password", "another-long-password"))
                .andExpect(status().isConflict())
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(alike)
                .contains(
                        "id=\"username-error\">a user named &#39;bob&#39; exists; names may not differ only in case<");
        assertThat(role("BOB")).isNull();

        ui.perform(post("/users")
                        .param("username", "eve")
                        .param("role", "SUPER_ADMIN")
                        .param("password", "x".repeat(20)))
                .andExpect(status().isForbidden());
        assertThat(role("eve")).isNull();
    }

    @Test
    void aSuperAdminChangesRolesResetsPasswordsDisablesAndDeletesUsers() throws Exception {
        UUID me = logins.user("admin", TestLogins.SUPER_ADMIN, null);
        jdbc.sql("UPDATE users SET enabled = FALSE WHERE username = :u")
                .param("u", TestLogins.username(TestLogins.SUPER_ADMIN))
                .update();
        UUID bob = logins.user("bob", TestLogins.ADMIN, "bob-has-a-long-password");

        ui.perform(post("/users/" + bob + "/role").with(csrf()).param("role", "USER"))
                .andExpect(header().string("Location", "/users"));
        assertThat(role("bob")).isEqualTo("USER");
        // the same role again changes nothing, and the audit trail records nothing
        long audited = jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'user.updated'")
                .query(Long.class)
                .single();
        ui.perform(post("/users/" + bob + "/role").with(csrf()).param("role", "USER"))
                .andExpect(header().string("Location", "/users"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'user.updated'")
                        .query(Long.class)
                        .single())
                .isEqualTo(audited);

        String before = passwordHash(bob);
        assertThat(tight(ui.perform(
                                post("/users/" + bob + "/password").with(csrf()).param("password", "short"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("id=\"user-problem\">password must be at least 12 characters<");
        ui.perform(post("/users/" + bob + "/password").with(csrf()).param("password", "bob-has-a-new-password"))
                .andExpect(header().string("Location", "/users"));
        assertThat(passwordHash(bob)).isNotEqualTo(before);

        assertThat(tight(
                        ui.perform(post("/users/" + bob + "/email").with(csrf()).param("email", "not-an-address"))
                                .andReturn()
                                .getResponse()
                                .getContentAsString()))
                .contains("id=\"user-problem\">email must be an e-mail address such as alice@example.com<");
        ui.perform(post("/users/" + bob + "/email").with(csrf()).param("email", " bob@example.com "))
                .andExpect(header().string("Location", "/users"));
        assertThat(email(bob)).isEqualTo("bob@example.com");
        assertThat(page("/users")).contains("value=\"bob@example.com\"");
        RequestPostProcessor root = TestLogins.bearer(logins.token("admin", TestLogins.SUPER_ADMIN, false));
        mvc.perform(get(API + "/users/" + bob).with(root))
                .andExpect(jsonPath("$.user.email").value("bob@example.com"));
        mvc.perform(put(API + "/users/" + bob)
                        .with(root)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"email\":\"\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.user.email").doesNotExist());
        assertThat(email(bob)).isNull();

        ui.perform(post("/users/" + bob + "/disable").with(csrf())).andExpect(header().string("Location", "/users"));
        assertThat(enabled(bob)).isFalse();
        assertThat(page("/users")).contains("aria-label=\"Enable bob\"");
        ui.perform(post("/users/" + bob + "/enable").with(csrf())).andExpect(header().string("Location", "/users"));
        assertThat(enabled(bob)).isTrue();

        assertThat(tight(ui.perform(post("/users/" + me + "/role").with(csrf()).param("role", "ADMIN"))
                        .andExpect(status().isConflict())
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .as("the last enabled super admin stays one, and the page says why")
                .contains(
                        "id=\"user-problem\">&#39;admin&#39; is the last enabled super admin; make another one first<");
        assertThat(role("admin")).isEqualTo("SUPER_ADMIN");

        assertThat(page("/users/" + bob + "/delete")).contains("Delete user bob?", "id=\"confirm-delete\"");
        assertThat(ui.perform(get("/users/" + bob + "/delete").header("HX-Request", "true"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("<dialog", "data-open")
                .doesNotContain("<html");
        ui.perform(post("/users/" + bob + "/delete")).andExpect(status().isForbidden());
        assertThat(role("bob")).isNotNull();
        ui.perform(post("/users/" + bob + "/delete").with(csrf())).andExpect(header().string("Location", "/users"));
        assertThat(role("bob")).isNull();
        assertThat(page("/users/" + me + "/delete")).contains("Delete user admin?");
        assertThat(tight(ui.perform(post("/users/" + me + "/delete").with(csrf()))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("is the last enabled super admin");
    }

    @Test
    void aNewTokenIsShownOnceWorksAsABearerTokenAndIsRevokedBehindAConfirmation() throws Exception {
        logins.user("admin", TestLogins.SUPER_ADMIN, null);
        assertThat(page("/tokens")).contains("No token yet", "for=\"name\"", "for=\"read_only\"", "90 days");

        MvcResult created = ui.perform(post("/tokens")
                        .with(csrf())
                        .param("name", "deploy pipeline")
                        .param("expires_in_days", "30")
                        .param("read_only", "true"))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/tokens"))
                .andReturn();
        String secret = (String) created.getFlashMap().get("createdSecret");
        assertThat(secret).startsWith("alm_");

        String shown = tight(ui.perform(get("/tokens").flashAttrs(created.getFlashMap()))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(shown)
                .contains(
                        "Token &#39;deploy pipeline&#39; created", "it is not shown again", "value=\"" + secret + "\"")
                .contains("read-only", ">active<", secret.substring(0, 12) + "…");
        assertThat(page("/tokens")).as("shown once").doesNotContain(secret).contains("deploy pipeline");

        mvc.perform(get(API + "/jobs").with(TestLogins.bearer(secret))).andExpect(status().isOk());
        mvc.perform(post(API + "/jobs")
                        .with(TestLogins.bearer(secret))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andExpect(status().isForbidden());
        assertThat(jdbc.sql("SELECT expires_at FROM api_tokens WHERE name = 'deploy pipeline'")
                        .query(OffsetDateTime.class)
                        .single()
                        .toInstant())
                .isEqualTo(START.plus(Duration.ofDays(30)));

        assertThat(tight(ui.perform(
                                post("/tokens").with(csrf()).param("name", " ").param("expires_in_days", "90"))
                        .andExpect(status().isBadRequest())
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("id=\"name-error\">must be 1 to 100 characters<");
        assertThat(tight(ui.perform(
                                post("/tokens").with(csrf()).param("name", "x").param("expires_in_days", "9999"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("id=\"expiry-error\">choose one of the offered lifetimes<");
        assertThat(tight(ui.perform(post("/tokens")
                                .with(csrf())
                                .param("name", "nightly export")
                                .param("expires_in_days", "ninety"))
                        .andExpect(status().isBadRequest())
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .as("a lifetime that is no number is refused in place, the name typed kept")
                .contains("id=\"expiry-error\">choose one of the offered lifetimes<", "value=\"nightly export\"");
        ui.perform(post("/tokens").param("name", "no csrf").param("expires_in_days", "30"))
                .andExpect(status().isForbidden());

        String id = jdbc.sql("SELECT id FROM api_tokens WHERE name = 'deploy pipeline'")
                .query(UUID.class)
                .single()
                .toString();
        assertThat(page("/tokens/" + id + "/revoke"))
                .contains("Revoke token deploy pipeline?", "id=\"confirm-revoke\"");
        assertThat(ui.perform(get("/tokens/" + id + "/revoke").header("HX-Request", "true"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("<dialog", "data-open")
                .doesNotContain("<html");
        ui.perform(post("/tokens/" + id + "/revoke")).andExpect(status().isForbidden());
        ui.perform(post("/tokens/" + id + "/revoke").with(csrf())).andExpect(header().string("Location", "/tokens"));
        assertThat(page("/tokens")).contains(">revoked<").doesNotContain("aria-label=\"Revoke deploy pipeline\"");
        mvc.perform(get(API + "/jobs").with(TestLogins.bearer(secret))).andExpect(status().isUnauthorized());
    }

    @Test
    void anAdminSeesOnlyTheirOwnTokens() throws Exception {
        logins.user("amy", TestLogins.ADMIN, null);
        logins.token("admin", TestLogins.SUPER_ADMIN, false);
        String theirs = jdbc.sql("SELECT id FROM api_tokens WHERE name = 'test admin'")
                .query(UUID.class)
                .single()
                .toString();
        assertThat(page("/tokens", asAdmin())).contains("No token yet").doesNotContain("test admin");
        ui.perform(get("/tokens/" + theirs + "/revoke").with(asAdmin())).andExpect(status().isNotFound());
        ui.perform(post("/tokens/" + theirs + "/revoke").with(csrf()).with(asAdmin()))
                .andExpect(status().isNotFound());
        assertThat(jdbc.sql("SELECT COUNT(*) FROM api_tokens WHERE id = :id AND revoked_at IS NULL")
                        .param("id", UUID.fromString(theirs))
                        .query(Long.class)
                        .single())
                .isOne();
    }

    @Test
    void exportDownloadsEveryJobAndImportShowsThePlanBeforeApplyingIt() throws Exception {
        assertThat(page("/import"))
                .contains("Download as JSON", "Download as YAML", "for=\"file\"", "Show what it would do");
        jobs.create(aCronJob("kept", "0 4 * * *").build(), "admin");
        jobs.create(aCronJob("changed", "0 2 * * *").build(), "admin");

        MvcResult export = ui.perform(get("/import/export").param("format", "yaml"))
                .andExpect(status().isOk())
                .andExpect(header().string("Content-Disposition", "attachment; filename=\"almanac-jobs.yaml\""))
                .andReturn();
        String yaml = export.getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(yaml).contains("kept", "changed");
        assertThat(ui.perform(get("/import/export"))
                        .andExpect(header().string("Content-Disposition", "attachment; filename=\"almanac-jobs.json\""))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("\"jobs\"", "\"kept\"");

        String edited = yaml.replace("0 2 * * *", "0 3 * * *")
                + "- name: \"fresh\"\n  template_type: \"heartbeat\"\n  schedule:\n    type: \"interval\"\n"
                + "    interval_seconds: 60\n"
                + "- name: \"broken\"\n  template_type: \"heartbeat\"\n  schedule:\n    type: \"cron\"\n"
                + "    expression: \"0 0 31 2 *\"\n";
        MockMultipartFile file =
                new MockMultipartFile("file", "jobs.yaml", "application/yaml", edited.getBytes(StandardCharsets.UTF_8));

        ui.perform(multipart("/import/plan").file(file)).andExpect(status().isForbidden());
        String plan = tight(ui.perform(multipart("/import/plan").file(file).with(csrf()))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(plan)
                .contains("What importing it would do")
                .contains("id=\"plan-create\">1<", "id=\"plan-update\">1<", "id=\"plan-unchanged\">1<")
                .contains("id=\"plan-invalid\">1<", "schedule.expression", "never fires")
                .contains("0 3 * * *", "a file applies")
                .contains("id=\"apply-button\" disabled");
        assertThat(jobs.counts().total()).isEqualTo(2);

        String fixed = edited.substring(0, edited.indexOf("- name: \"broken\""));
        String planned = tight(ui.perform(multipart("/import/plan")
                        .file(new MockMultipartFile(
                                "file", "jobs.yaml", "application/yaml", fixed.getBytes(StandardCharsets.UTF_8)))
                        .with(csrf()))
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(planned)
                .contains("id=\"plan-invalid\">0<", "name=\"text\"")
                .doesNotContain("id=\"apply-button\" disabled");

        MvcResult applied = ui.perform(post("/import/apply").with(csrf()).param("text", fixed))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/import"))
                .andReturn();
        assertThat((String) applied.getFlashMap().get("flash"))
                .isEqualTo("Jobs file applied: 1 created, 1 updated, 1 unchanged");
        assertThat(tight(ui.perform(get("/import").flashAttrs(applied.getFlashMap()))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("What was applied", "fresh");
        assertThat(jobs.counts().total()).isEqualTo(3);

        ui.perform(post("/import/apply").param("text", fixed)).andExpect(status().isForbidden());
        assertThat(tight(ui.perform(post("/import/apply").with(csrf()).param("text", edited))
                        .andExpect(status().isBadRequest())
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("Nothing was applied", "never fires");
        assertThat(tight(ui.perform(post("/import/plan").with(csrf()).param("text", "jobs: [not, a, job"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("The file cannot be imported", "jobs[0]: must be an object");
        assertThat(tight(ui.perform(post("/import/plan").with(csrf()).param("text", ""))
                        .andReturn()
                        .getResponse()
                        .getContentAsString()))
                .contains("choose a jobs file to upload, or paste one");
    }

    @Test
    void anAdminMayNotImportJobsOfADestructiveTemplate() throws Exception {
        String file = "jobs:\n- name: \"wipe\"\n  template_type: \"test_destroy\"\n  parameters: {}\n"
                + "  schedule:\n    type: \"interval\"\n    interval_seconds: 60\n";
        // the plan shows the job it refuses, with why; the apply is the role rule's 403
        String planned = tight(
                ui.perform(post("/import/plan").with(csrf()).with(asAdmin()).param("text", file))
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString());
        assertThat(planned)
                .contains(
                        "Import / export",
                        "you may not create this job: needs a super admin or an owner of namespace &#39;default&#39;:"
                                + " this template is destructive",
                        "id=\"apply-button\" disabled");
        String refused = tight(
                ui.perform(post("/import/apply").with(csrf()).with(asAdmin()).param("text", file))
                        .andExpect(status().isForbidden())
                        .andReturn()
                        .getResponse()
                        .getContentAsString());
        assertThat(refused).contains("job &#39;wipe&#39;: template &#39;test_destroy&#39; is destructive");
        assertThat(jobs.counts().total()).isZero();
        ui.perform(get("/import/export").with(asAdmin())).andExpect(status().isOk());
    }

    @Test
    void anExecutionListsItsArtifactsWithDownloadsForTheSession() throws Exception {
        Job job = jobs.create(aCronJob("exporter", "0 2 * * *").build(), "admin");
        String id = run(job);
        assertThat(page("/executions/" + id))
                .contains("Artifacts", "hx-get=\"/executions/" + id + "/artifacts?live=true\"");
        assertThat(page("/executions/" + id + "/artifacts?live=true")).contains("No files", "reload the page");

        byte[] content = "id,name\n1,alpha\n".getBytes(StandardCharsets.UTF_8);
        artifacts.forExecution(UUID.fromString(id)).write("export.csv", "text/csv", out -> out.write(content));
        String sha256 =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));

        String fragment =
                tight(ui.perform(get("/executions/" + id + "/artifacts").header("HX-Request", "true"))
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString());
        assertThat(fragment)
                .contains("export.csv", "16 B", "text/csv", sha256)
                .contains("href=\"/executions/" + id + "/artifacts/")
                .doesNotContain("<html");
        Matcher link = Pattern.compile("href=\"(/executions/[^\"]+/artifacts/[^\"]+)\"")
                .matcher(fragment);
        assertThat(link.find()).isTrue();

        MvcResult download =
                ui.perform(get(link.group(1))).andExpect(status().isOk()).andReturn();
        assertThat(download.getResponse().getContentAsByteArray()).isEqualTo(content);
        assertThat(download.getResponse().getHeader("Content-Disposition")).contains("export.csv");
        assertThat(download.getResponse().getContentType()).startsWith("text/csv");
        ui.perform(get(link.group(1)).with(asAdmin())).andExpect(status().isOk());
        ui.perform(get(link.group(1)).with(user("someone").roles("USER"))).andExpect(status().isForbidden());
        ui.perform(get("/executions/" + id + "/artifacts/" + UUID.randomUUID())).andExpect(status().isNotFound());
        ui.perform(get("/executions/" + UUID.randomUUID() + "/artifacts")).andExpect(status().isNotFound());
    }

    @Test
    void noNewPageCarriesInlineScriptInlineStylesOrEventHandlers() throws Exception {
        logins.user("admin", TestLogins.SUPER_ADMIN, null);
        Job job = jobs.create(aCronJob("strict", "0 2 * * *").build(), "admin");
        String execution = run(job);
        for (String path :
                List.of("/audit", "/users", "/tokens", "/import", "/executions/" + execution + "/artifacts")) {
            String html = page(path);
            assertThat(INLINE_SCRIPT.matcher(html).find())
                    .as("inline script on " + path)
                    .isFalse();
            assertThat(EVENT_HANDLER.matcher(html).find())
                    .as("event handler on " + path)
                    .isFalse();
            assertThat(html).as("inline style on " + path).doesNotContain(" style=\"");
            assertThat(html).as(path).contains("<main id=\"main\"", "href=\"#main\"", "lang=\"en\"");
        }
    }

    private String email(UUID user) {
        return jdbc.sql("SELECT email FROM users WHERE id = :id")
                .param("id", user)
                .query(String.class)
                .optional()
                .orElse(null);
    }

    private static RequestPostProcessor asAdmin() {
        return user("amy").roles("ADMIN");
    }

    private String createThroughTheApi(String name, String cron) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"template_type\":\"heartbeat\",\"parameters\":{},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"" + cron + "\"}}";
        String response = mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(response);
        assertThat(id.find()).isTrue();
        return id.group(1);
    }

    private String run(Job job) throws Exception {
        String location = ui.perform(post("/jobs/" + job.id() + "/run").with(csrf()))
                .andReturn()
                .getResponse()
                .getHeader("Location");
        String id = location.substring("/executions/".length());
        List<Execution> runs = executions.list(ExecutionQuery.ofJob(job.id(), 1));
        assertThat(runs).extracting(e -> e.id().toString()).containsExactly(id);
        return id;
    }

    private String role(String username) {
        return jdbc.sql("SELECT role FROM users WHERE username = :u")
                .param("u", username)
                .query(String.class)
                .optional()
                .orElse(null);
    }

    private boolean enabled(UUID user) {
        return jdbc.sql("SELECT enabled FROM users WHERE id = :id")
                .param("id", user)
                .query(Boolean.class)
                .single();
    }

    private String passwordHash(UUID user) {
        return jdbc.sql("SELECT password_hash FROM users WHERE id = :id")
                .param("id", user)
                .query(String.class)
                .single();
    }

    private String badFilter(String path) throws Exception {
        return tight(ui.perform(get(path))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    private String page(String path) throws Exception {
        return page(path, request -> request);
    }

    private String page(String path, RequestPostProcessor as) throws Exception {
        return tight(ui.perform(get(path).with(as))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    /** The HTML without the whitespace between tags, so assertions can name adjacent elements. */
    private static String tight(String html) {
        return html.replaceAll(">\\s+<", "><");
    }
}
