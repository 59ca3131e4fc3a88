package dev.almanac.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractStringAssert;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * A reader walking the job wizard and the Run now… form as a browser does: pages read through the security filters,
 * their forms taken as {@link BrowserForm} posts them back, each click a post with a CSRF token. The jobs it edits are
 * created through the API as the super admin.
 */
public final class WizardWalk {

    public static final String WIZARD = "/jobs/wizard";

    private final MockMvc ui;
    private final MockMvc api;
    private final JsonMapper json;

    /** {@code ui} through the security filters (signed in as the test says), {@code api} as the super admin. */
    public WizardWalk(MockMvc ui, MockMvc api, JsonMapper json) {
        this.ui = ui;
        this.api = api;
        this.json = json;
    }

    /** A disabled job, run hourly unless {@code fields} give a schedule, created through the API: its id. */
    public String createJob(Map<String, Object> fields) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("enabled", false);
        body.put("schedule", Map.of("type", "interval", "interval_seconds", 3600));
        body.putAll(fields);
        MockHttpServletResponse response = api.perform(MockMvcRequestBuilders.post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andReturn()
                .getResponse();
        String answer = html(response);
        assertThat(response.getStatus()).as(answer).isEqualTo(201);
        return json.readTree(answer).path("job").path("id").asString();
    }

    /** The page at {@code path}, which must answer 200: its HTML. */
    public String page(String path) throws Exception {
        MockHttpServletResponse response = perform(get(path));
        String html = html(response);
        assertThat(response.getStatus()).as(html).isEqualTo(200);
        return html;
    }

    /** The form {@code formId} of the page at {@code path}, as a browser posts it when nothing is changed. */
    public MultiValueMap<String, String> form(String path, String formId) throws Exception {
        return BrowserForm.of(page(path), formId);
    }

    /** {@code form} posted to {@code path}, as htmx sends it when {@code htmx}: the answer. */
    public MockHttpServletResponse post(String path, MultiValueMap<String, String> form, boolean htmx)
            throws Exception {
        MockHttpServletRequestBuilder call = posting(path, form);
        return perform(htmx ? call.header("HX-Request", "true") : call);
    }

    /** A request of the test's own making (headers, a user) through the security filters: the answer. */
    public MockHttpServletResponse perform(RequestBuilder call) throws Exception {
        return ui.perform(call).andReturn().getResponse();
    }

    /** The wizard's {@code form} posted with the button {@code action} ({@code next}, {@code back}, …): the answer. */
    public MockHttpServletResponse click(MultiValueMap<String, String> form, String action) throws Exception {
        form.set("_action", action);
        return post(WIZARD, form, false);
    }

    /** The wizard's {@code form} saved: the whole result, for its redirect and flash message. */
    public MvcResult save(MultiValueMap<String, String> form) throws Exception {
        form.set("_action", "save");
        return ui.perform(posting(WIZARD, form)).andReturn();
    }

    /** The request of {@code form} posted to {@code path}, for a test to add to (headers, a user). */
    public static MockHttpServletRequestBuilder posting(String path, MultiValueMap<String, String> form) {
        return MockMvcRequestBuilders.post(path).with(csrf()).params(form);
    }

    /** As {@link #nextToTheReview(String, MultiValueMap, Consumer)}, checking no more of each step's page. */
    public MultiValueMap<String, String> nextToTheReview(String what, MultiValueMap<String, String> form)
            throws Exception {
        return nextToTheReview(what, form, html -> {});
    }

    /**
     * Clicks Next from the parameters (step 2) to the review (step 5), changing nothing: each click answers 200 with
     * the following step, whose page {@code eachPage} checks further. The review's form.
     */
    public MultiValueMap<String, String> nextToTheReview(
            String what, MultiValueMap<String, String> form, Consumer<String> eachPage) throws Exception {
        for (int step = 2; step < 5; step++) {
            MockHttpServletResponse response = click(form, "next");
            String html = html(response);
            assertThat(response.getStatus())
                    .as(what + " step " + step + ": " + html)
                    .isEqualTo(200);
            eachPage.accept(html);
            form = BrowserForm.of(html, "wizard");
            assertThat(form.getFirst("step"))
                    .as(what + " after step " + step + ": " + html)
                    .isEqualTo(String.valueOf(step + 1));
        }
        return form;
    }

    /** Asserts the control named {@code name} in the page is marked invalid (aria-invalid), as a field in error. */
    public static AbstractStringAssert<?> assertMarkedInvalid(String html, String name, String what) {
        String quoted = Pattern.quote("name=\"" + name + "\"");
        return assertThat(html)
                .as(what)
                .containsPattern(
                        "<[^>]*(" + quoted + "[^>]*aria-invalid=\"true\"|aria-invalid=\"true\"[^>]*" + quoted + ")");
    }

    private static final Pattern INVALID_CONTROL =
            Pattern.compile("<(?:input|textarea|select|fieldset)\\b[^>]*aria-invalid=\"true\"[^>]*>");
    private static final Pattern DESCRIBED_BY = Pattern.compile("aria-describedby=\"([^\"]*)\"");

    /**
     * Asserts every control the page marks invalid names its error message (an element with class {@code error} or
     * {@code error-text}) in its {@code aria-describedby}, so a screen reader reads the message with the field; returns
     * how many it checked.
     */
    public static int assertEveryInvalidControlNamesItsError(String html, String what) {
        Matcher invalid = INVALID_CONTROL.matcher(html);
        int checked = 0;
        while (invalid.find()) {
            String tag = invalid.group();
            Matcher describedBy = DESCRIBED_BY.matcher(tag);
            assertThat(describedBy.find())
                    .as(what + ": no aria-describedby on " + tag)
                    .isTrue();
            boolean named = false;
            for (String id : describedBy.group(1).split("\\s+")) {
                named |= Pattern.compile("<[^>]*class=\"error(?:-text)?\"[^>]*id=\"" + Pattern.quote(id) + "\""
                                + "|<[^>]*id=\"" + Pattern.quote(id) + "\"[^>]*class=\"error(?:-text)?\"")
                        .matcher(html)
                        .find();
            }
            assertThat(named)
                    .as(what + ": the error of " + tag + " is not among " + describedBy.group(1))
                    .isTrue();
            checked++;
        }
        return checked;
    }

    /** The text of an answer, read as UTF-8. */
    public static String html(MockHttpServletResponse response) throws UnsupportedEncodingException {
        return response.getContentAsString(StandardCharsets.UTF_8);
    }
}
