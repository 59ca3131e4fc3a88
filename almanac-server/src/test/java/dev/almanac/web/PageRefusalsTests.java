package dev.almanac.web;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.job.Job;
import dev.almanac.job.JobDrafts;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Every refusal is answered where the reader acted: each action of each page, driven into the refusals it can meet,
 * answers a 4xx with its message, never a 500 and never silence. As htmx, a fragment retargeted to the layout's
 * alert region (or the wizard's dry-run region); as a plain form post, a page in the layout (header, user, Sign out)
 * or the same form again with the reader's input.
 */
@WithH2
class PageRefusalsTests extends AlmanacIntegrationTest {

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    MockMvc ui;

    static final RequestPostProcessor TEST_SUPER_ADMIN =
            user("test-super-admin").roles("SUPER_ADMIN");

    @BeforeEach
    void browse() {
        ui = securedMvc();
    }

    @Test
    void anAdminActingOnADestructiveJobIsToldWhyOnThePage() throws Exception {
        Job destroy = jobs.create(
                anIntervalJob("destroyer", 3600)
                        .template("test_destroy", Map.of())
                        .build(),
                "root");
        for (String action : new String[] {"run", "dry-run", "disable", "delete"}) {
            refusedInPlace(
                    () -> post("/jobs/" + destroy.id() + "/" + action)
                            .with(csrf())
                            .with(admin()),
                    403,
                    "only a super admin may");
        }
        Job paused = jobs.create(
                anIntervalJob("paused-destroyer", 3600)
                        .template("test_destroy", Map.of())
                        .disabled()
                        .build(),
                "root");
        refusedInPlace(
                () -> post("/jobs/" + paused.id() + "/enable").with(csrf()).with(admin()),
                403,
                "only a super admin may");
    }

    @Test
    void theWizardKeepsTheInputWhenCreatingOrDryRunningIsRefused() throws Exception {
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("my-destroyer", "test_destroy");
        form.set("step", "5");
        form.set("_action", "save");
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletRequestBuilder save =
                    post("/jobs/wizard").with(csrf()).with(admin()).params(form);
            MockHttpServletResponse saved = ui.perform(htmx ? save.header("HX-Request", "true") : save)
                    .andReturn()
                    .getResponse();
            assertThat(saved.getStatus()).isEqualTo(403);
            assertThat(saved.getContentAsString())
                    .contains("only a super admin may", "value=\"my-destroyer\"", "Sign out");
        }

        MultiValueMap<String, String> dry = AdminPagesTests.wizardForm("my-destroyer", "test_destroy");
        dry.set("step", "5");
        MockHttpServletResponse asHtmx = ui.perform(post("/jobs/wizard/dry-run")
                        .with(csrf())
                        .with(admin())
                        .header("HX-Request", "true")
                        .params(dry))
                .andReturn()
                .getResponse();
        assertThat(asHtmx.getStatus()).isEqualTo(403);
        assertThat(asHtmx.getContentAsString()).contains("The dry run was refused", "only a super admin may");
        assertThat(asHtmx.getContentAsString()).doesNotContain("<html");

        // without htmx the refusal goes back to the wizard (a forward, which MockMvc does not follow) ...
        MockHttpServletResponse plain = ui.perform(
                        post("/jobs/wizard/dry-run").with(csrf()).with(admin()).params(dry))
                .andReturn()
                .getResponse();
        assertThat(plain.getStatus()).isEqualTo(403);
        assertThat(plain.getForwardedUrl()).isEqualTo("/jobs/wizard");
        // ... which shows it over the same input
        MockHttpServletResponse wizard = ui.perform(post("/jobs/wizard")
                        .with(csrf())
                        .with(admin())
                        .params(dry)
                        .requestAttr(JobDrafts.REFUSED, "The dry run was refused: only a super admin may run"))
                .andReturn()
                .getResponse();
        assertThat(wizard.getContentAsString())
                .contains("The dry run was refused", "value=\"my-destroyer\"", "Sign out", "amy");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void afterTheManualRunLimitTheJobPageSaysHowLongToWait() throws Exception {
        Job job = jobs.create(anIntervalJob("often", 3600).build(), "root");
        String detail = ui.perform(get("/jobs/" + job.id()).with(superAdmin()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(detail)
                .as("the job page's Run now and Dry run post through htmx, so a refusal lands in #alerts")
                .contains("hx-post=\"/jobs/" + job.id() + "/run\"", "hx-post=\"/jobs/" + job.id() + "/dry-run\"");
        for (int i = 0; i < 10; i++) {
            MockHttpServletResponse accepted = ui.perform(post("/jobs/" + job.id() + "/run")
                            .with(csrf())
                            .with(superAdmin())
                            .header("HX-Request", "true"))
                    .andReturn()
                    .getResponse();
            assertThat(accepted.getHeader("HX-Redirect")).startsWith("/executions/");
        }
        MockHttpServletResponse plain = refusedInPlace(
                () -> post("/jobs/" + job.id() + "/run").with(csrf()).with(superAdmin()),
                429,
                "at most 10 manual runs");
        assertThat(plain.getHeader("Retry-After")).isEqualTo("3600");
        assertThat(plain.getContentAsString())
                .as("when to try again, said once and in minutes")
                .contains("at most 10 manual runs an hour per user<", "Try again in 60 min.")
                .doesNotContain("possible in", "3600 s");
        // the "Run now…" form: the refusal on the form, the values typed kept
        MockHttpServletResponse withValues = ui.perform(post("/jobs/" + job.id() + "/run")
                        .with(csrf())
                        .with(superAdmin())
                        .param("p.message", "typed by hand"))
                .andReturn()
                .getResponse();
        assertThat(withValues.getStatus()).isEqualTo(429);
        assertThat(withValues.getHeader("Retry-After")).isEqualTo("3600");
        assertThat(withValues.getContentAsString())
                .contains("at most 10 manual runs", "typed by hand", "id=\"run-form\"", "Sign out");

        MultiValueMap<String, String> dry = AdminPagesTests.wizardForm("draft", "heartbeat");
        dry.set("step", "5");
        MockHttpServletResponse wizard = ui.perform(post("/jobs/wizard/dry-run")
                        .with(csrf())
                        .with(superAdmin())
                        .header("HX-Request", "true")
                        .params(dry))
                .andReturn()
                .getResponse();
        assertThat(wizard.getStatus()).isIn(202, 200, 302, 429);
    }

    @Test
    void unknownIdsAndStaleVersionsAreNamedInPlace() throws Exception {
        String unknown = UUID.randomUUID().toString();
        for (String action : new String[] {"run", "dry-run", "enable", "disable", "delete"}) {
            refusedInPlace(
                    () -> post("/jobs/" + unknown + "/" + action).with(csrf()).with(superAdmin()), 404, unknown);
        }
        refusedInPlace(() -> get("/jobs/" + unknown + "/clone").with(superAdmin()), 404, unknown);
        refusedInPlace(
                () -> post("/tokens/" + unknown + "/revoke")
                        .with(csrf())
                        .with(user("test-super-admin").roles("SUPER_ADMIN")),
                404,
                unknown);
        refusedInPlace(() -> post("/users/" + unknown + "/disable").with(csrf()).with(superAdmin()), 404, "");
        // the security chain forwards a page it denies to the denied page (MockMvc does not follow forwards) ...
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletRequestBuilder denied =
                    post("/users/" + unknown + "/disable").with(csrf()).with(admin());
            MockHttpServletResponse forwarded = ui.perform(htmx ? denied.header("HX-Request", "true") : denied)
                    .andReturn()
                    .getResponse();
            assertThat(forwarded.getStatus()).isEqualTo(403);
            assertThat(forwarded.getForwardedUrl()).isEqualTo("/denied");
        }
        // ... which answers a form post or an htmx action where it was made
        refusedInPlace(
                () -> post("/denied").with(csrf()).with(admin()).requestAttr("almanac.denied-path", "/users/x/disable"),
                403,
                "is not open to your role");

        Job job = jobs.create(anIntervalJob("edited", 3600).build(), "root");
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("edited", "heartbeat");
        form.set("job_id", job.id().toString());
        form.set("version", "0");
        form.set("step", "5");
        form.set("_action", "save");
        form.set("description", "changed meanwhile");
        MockHttpServletResponse stale = ui.perform(
                        post("/jobs/wizard").with(csrf()).with(superAdmin()).params(form))
                .andReturn()
                .getResponse();
        assertThat(stale.getStatus()).isEqualTo(409);
        assertThat(stale.getContentAsString()).contains("changed meanwhile", "version");
    }

    @Test
    void importApplyAndTokenCreateRefusalsStayOnTheirPage() throws Exception {
        String file = """
                {"jobs":[{"name":"imported-destroyer","template_type":"test_destroy","parameters":{},
                  "schedule":{"type":"interval","interval_seconds":3600}}]}""";
        MockHttpServletResponse apply = ui.perform(
                        post("/import/apply").with(csrf()).with(admin()).param("text", file))
                .andReturn()
                .getResponse();
        assertThat(apply.getStatus()).isEqualTo(403);
        assertThat(apply.getContentAsString()).contains("super admin", "Sign out");

        MockHttpServletResponse token = ui.perform(post("/tokens")
                        .with(csrf())
                        .with(user("test-super-admin").roles("SUPER_ADMIN"))
                        .param("name", "")
                        .param("expires_in_days", "30"))
                .andReturn()
                .getResponse();
        assertThat(token.getStatus()).isEqualTo(400);
        assertThat(token.getContentAsString()).contains("Sign out");
    }

    /**
     * A form shown again with its problems beside the reader's input answers the refusal's status, as the API does:
     * never a 200 to a script, a test or an htmx swap. Each case is a form of another page.
     */
    @Test
    void aFormShownAgainWithItsProblemsAnswersTheRefusalsStatus() throws Exception {
        UUID ada = logins.user("ada", "ADMIN", "ada-password-long");
        Job upstream = jobs.create(anIntervalJob("upstream", 3600).build(), "root");
        jobs.create(anIntervalJob("downstream", 3600).dependsOn(upstream.id()).build(), "root");
        MultiValueMap<String, String> unnamed = AdminPagesTests.wizardForm("", "heartbeat");
        unnamed.set("step", "2");
        MultiValueMap<String, String> locked = AdminPagesTests.wizardForm("x", "");
        locked.set("step", "1");
        locked.set("_action", "template:test_destroy");
        String noSchedule = """
                {"jobs":[{"name":"no-schedule","template_type":"heartbeat"}]}""";
        Map<String, MockHttpServletRequestBuilder> refusals = new LinkedHashMap<>();
        refusals.put("400 a new user without a name", form("/users", "username", "", "password", "x", "role", "ADMIN"));
        refusals.put(
                "409 a new user named as another",
                form("/users", "username", "ada", "password", "long-enough-1", "role", "ADMIN"));
        refusals.put("400 a role that does not exist", form("/users/" + ada + "/role", "role", "EMPEROR"));
        refusals.put("400 a password too short", form("/users/" + ada + "/password", "password", "short"));
        refusals.put("400 an e-mail address that is none", form("/users/" + ada + "/email", "email", "not-an-address"));
        refusals.put("400 a token lifetime not offered", form("/tokens", "name", "t", "expires_in_days", "7777"));
        refusals.put(
                "400 a wrong current password",
                form(
                        "/account/password",
                        "currentPassword",
                        "wrong-one",
                        "newPassword",
                        "new-password-long",
                        "confirmPassword",
                        "new-password-long"));
        refusals.put("400 an empty jobs file", form("/import/plan", "text", " "));
        refusals.put("400 a jobs file that is none", form("/import/plan", "text", "jobs: [unclosed"));
        refusals.put("400 a jobs file with errors applied", form("/import/apply", "text", noSchedule));
        refusals.put(
                "400 a wizard step with a problem",
                post("/jobs/wizard").params(unnamed).with(TEST_SUPER_ADMIN));
        refusals.put(
                "403 a template the role may not use",
                post("/jobs/wizard").params(locked).with(admin()));
        refusals.put("409 a job others depend on deleted", form("/jobs/" + upstream.id() + "/delete"));
        for (Map.Entry<String, MockHttpServletRequestBuilder> refusal : refusals.entrySet()) {
            MockHttpServletResponse answer =
                    ui.perform(refusal.getValue().with(csrf())).andReturn().getResponse();
            assertThat(answer.getStatus())
                    .as(refusal.getKey() + ": " + answer.getContentAsString())
                    .isEqualTo(Integer.parseInt(refusal.getKey().substring(0, 3)));
            assertThat(answer.getContentAsString()).as(refusal.getKey()).contains("Sign out", "role=\"alert\"");
        }
        assertThat(jobs.find(upstream.id())).isPresent();
    }

    /** A form of the test's super admin (who exists, so their own password can be changed). */
    private static MockHttpServletRequestBuilder form(String path, String... nameValues) {
        MockHttpServletRequestBuilder request = post(path).with(TEST_SUPER_ADMIN);
        for (int i = 0; i < nameValues.length; i += 2) {
            request.param(nameValues[i], nameValues[i + 1]);
        }
        return request;
    }

    /**
     * Every typed parameter of every page (a number, a flag, an id, a date), sent as text that is none of these, as a
     * hand-edited address or a stale form can: a 400 naming the parameter and what it takes, in place, never a 500.
     * The page's other parameters carry good values, so the refusal is the one parameter's.
     */
    @Test
    void aParameterOfTheWrongTypeIsNamedInPlace() throws Exception {
        RequestMappingHandlerMapping mappings =
                context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        List<String> checked = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping :
                mappings.getHandlerMethods().entrySet()) {
            HandlerMethod handler = mapping.getValue();
            if (!handler.getBeanType().isAnnotationPresent(AdminPage.class)) {
                continue;
            }
            String pattern = mapping.getKey().getPatternValues().iterator().next();
            Set<RequestMethod> methods = mapping.getKey().getMethodsCondition().getMethods();
            HttpMethod method = methods.isEmpty() || methods.contains(RequestMethod.GET)
                    ? HttpMethod.GET
                    : HttpMethod.valueOf(methods.iterator().next().name());
            for (MethodParameter wrong : handler.getMethodParameters()) {
                if (requestName(wrong) == null || goodValue(wrong) == null) {
                    continue; // not a typed request parameter or path variable
                }
                Map<String, String> path = new HashMap<>();
                Map<String, String> query = new HashMap<>();
                for (MethodParameter parameter : handler.getMethodParameters()) {
                    String name = requestName(parameter);
                    if (name == null) {
                        continue;
                    }
                    String value = parameter == wrong
                            ? "not-a-value"
                            : Optional.ofNullable(goodValue(parameter)).orElse("x");
                    (parameter.hasParameterAnnotation(PathVariable.class) ? path : query).put(name, value);
                }
                String uri = UriComponentsBuilder.fromPath(pattern)
                        .buildAndExpand(path)
                        .toUriString();
                refusedInPlace(
                        () -> {
                            MockHttpServletRequestBuilder request = MockMvcRequestBuilders.request(method, uri)
                                    .with(csrf())
                                    .with(superAdmin());
                            query.forEach(request::param);
                            return request;
                        },
                        400,
                        requestName(wrong) + ": must be");
                checked.add(method + " " + uri + " " + requestName(wrong));
            }
        }
        assertThat(checked).as("the typed parameters of the pages").hasSizeGreaterThan(5);
    }

    /**
     * Every controller of Almanac's pages is an {@link AdminPage}, whose refusals are answered as pages and htmx
     * alerts: one that is not answers them as problem JSON, which a browser shows raw and htmx not at all.
     */
    @Test
    void everyPageOfAlmanacAnswersItsRefusalsAsAPage() {
        RequestMappingHandlerMapping mappings =
                context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        List<String> notPages = mappings.getHandlerMethods().entrySet().stream()
                .filter(mapping -> mapping.getValue().getBeanType().getName().startsWith("dev.almanac."))
                .filter(mapping ->
                        !AnnotatedElementUtils.hasAnnotation(mapping.getValue().getBeanType(), RestController.class))
                .filter(mapping ->
                        mapping.getKey().getPatternValues().stream().noneMatch(pattern -> pattern.startsWith("/api/")))
                .filter(mapping -> !mapping.getValue().getBeanType().isAnnotationPresent(AdminPage.class))
                // the sign-in page is shown signed out, outside the layout, and answers its own form
                .filter(mapping ->
                        !mapping.getValue().getBeanType().getSimpleName().equals("LoginController"))
                .map(mapping -> mapping.getValue().getBeanType().getSimpleName() + " "
                        + mapping.getKey().getPatternValues())
                .distinct()
                .sorted()
                .toList();
        assertThat(notPages).isEmpty();
    }

    /** The name a path variable or request parameter is sent under; null for any other argument. */
    private static String requestName(MethodParameter parameter) {
        parameter.initParameterNameDiscovery(new DefaultParameterNameDiscoverer());
        PathVariable variable = parameter.getParameterAnnotation(PathVariable.class);
        RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
        String declared = variable != null ? variable.name() : param != null ? param.name() : null;
        if (declared == null || Map.class.isAssignableFrom(parameter.getParameterType())) {
            return null;
        }
        return declared.isEmpty() ? parameter.getParameterName() : declared;
    }

    /** A value a parameter of this type takes; null for text, which any value is. */
    private static String goodValue(MethodParameter parameter) {
        Class<?> type = parameter.nestedIfOptional().getNestedParameterType();
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "1";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true";
        }
        if (type == UUID.class) {
            return UUID.randomUUID().toString();
        }
        if (type == Instant.class || type == OffsetDateTime.class) {
            return "2026-12-05T10:00:00Z";
        }
        if (type == LocalDate.class) {
            return "2026-12-05";
        }
        return null;
    }

    /**
     * The request, once as a plain form post and once as htmx: a 4xx with the message each time, in the layout for
     * the plain one, as a fragment for the alert region for htmx. Returns the plain answer.
     */
    private MockHttpServletResponse refusedInPlace(
            Supplier<MockHttpServletRequestBuilder> request, int status, String message) throws Exception {
        MockHttpServletResponse plain = ui.perform(request.get()).andReturn().getResponse();
        assertThat(plain.getStatus())
                .as("plain %s: %s", message, plain.getContentAsString())
                .isEqualTo(status);
        assertThat(plain.getContentAsString()).contains(message, "Sign out", "href=\"/jobs\"");

        MockHttpServletResponse htmx = ui.perform(request.get().header("HX-Request", "true"))
                .andReturn()
                .getResponse();
        assertThat(htmx.getStatus()).as("htmx %s", message).isEqualTo(status);
        assertThat(htmx.getHeader("HX-Retarget")).isEqualTo("#alerts");
        assertThat(htmx.getContentAsString())
                .contains(message, "role=\"alert\"")
                .doesNotContain("<html");
        return plain;
    }

    private static RequestPostProcessor admin() {
        return user("amy").roles("ADMIN");
    }

    private static RequestPostProcessor superAdmin() {
        return user("root").roles("SUPER_ADMIN");
    }
}
