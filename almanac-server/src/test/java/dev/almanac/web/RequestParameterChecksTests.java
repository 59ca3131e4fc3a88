package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * What every request's parameters are held to, on H2 and PostgreSQL: no NUL character anywhere (PostgreSQL answered
 * one with a 500), and on the API no parameter its endpoint does not take (a misspelt filter returned everything).
 */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class RequestParameterChecksTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends RequestParameterChecksTests {}

    @WithPostgres
    static class OnPostgres extends RequestParameterChecksTests {}

    static final String API = "/api/admin/scheduler";
    private static final Pattern DOCUMENTED =
            Pattern.compile("`GET(?:\\\\\\|[A-Z]+)* (/[a-z0-9_/{}.\\-\\[\\]]*?)\\[?\\?([a-z_]+=[^`\\]]*)\\]?`");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    String job;

    @BeforeEach
    void aJob() throws Exception {
        job = JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"name\":\"beat\",\"template_type\":\"heartbeat\","
                                        + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}"))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }

    /** Every parameter of every API read without a path variable, given a NUL: a 400 naming it, never a 500. */
    @Test
    void aNulInAnyParameterOfAnyApiListIsA400NamingIt() throws Exception {
        int walked = 0;
        for (var endpoint : apiReads().entrySet()) {
            for (String name : endpoint.getValue()) {
                mvc.perform(get(endpoint.getKey()).queryParam(name, "a\0b"))
                        .andExpect(status().isBadRequest())
                        .andExpect(jsonPath("$.errors[0].field").value(name))
                        .andExpect(
                                jsonPath("$.errors[0].message").value("must not contain the NUL character (U+0000)"));
                walked++;
            }
        }
        assertThat(walked).isGreaterThan(30);
        mvc.perform(get(API + "/jobs/" + job + "/executions").queryParam("status", "\0"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("status"));
    }

    @Test
    void aNulInAPagesFilterIsA400NotA500() throws Exception {
        for (String page : new String[] {"/jobs?search=", "/executions?search=", "/audit?actor=", "/calendars?q="}) {
            MockHttpServletResponse answer =
                    mvc.perform(get(URI.create(page + "a%00b"))).andReturn().getResponse();
            assertThat(answer.getStatus()).as(page).isEqualTo(400);
            assertThat(answer.getContentAsString()).as(page).contains("NUL");
        }
    }

    @Test
    void aNulInAnyStringOfAJsonBodyIsA400NamingTheField() throws Exception {
        mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"nul\",\"template_type\":\"heartbeat\",\"description\":\"a\\u0000b\","
                                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("description"))
                .andExpect(jsonPath("$.errors[0].message").value("must not contain the NUL character (U+0000)"));
        mvc.perform(put(API + "/jobs/" + job)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"parameters\":{\"message\":\"\\u0000\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.message"));
        mvc.perform(put(API + "/jobs/" + job)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"tags\":[\"ok\",\"x\\u0000\"]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("tags[1]"));
        mvc.perform(put(API + "/jobs/" + job)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"description\":\"a \\\\u0000 is written so\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.description").value("a \\u0000 is written so"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Integer.class).single())
                .isEqualTo(1);
    }

    /** A lone surrogate was echoed back in the 200 and stored as '?': refused as NUL is, naming the field. */
    @Test
    void aLoneSurrogateInAnyStringOfAJsonBodyIsA400NamingTheField() throws Exception {
        for (String lone : new String[] {"\\udfff tail", "head \\uD800", "\\udc00\\ud800"}) {
            mvc.perform(put(API + "/jobs/" + job)
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"description\":\"" + lone + "\"}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("description"))
                    .andExpect(
                            jsonPath("$.errors[0].message").value(org.hamcrest.Matchers.containsString("surrogate")));
        }
        mvc.perform(put(API + "/jobs/" + job)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"tags\":[\"ok\"],\"parameters\":{\"message\":\"x\\udfff\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.message"));
        // a pair is one character, written escaped or as it is
        mvc.perform(put(API + "/jobs/" + job)
                        .contentType(MediaType.APPLICATION_JSON)
                        .characterEncoding(java.nio.charset.StandardCharsets.UTF_8)
                        .content("{\"description\":\"\\ud83d\\ude00 \ud83d\ude00\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.description").value("\ud83d\ude00 \ud83d\ude00"));
    }

    /** A query parameter whose escapes are no UTF-8 is said so, not searched for as a replacement character. */
    @Test
    void aQueryParameterThatIsNotUtf8IsA400NamingIt() throws Exception {
        refused(API + "/jobs?search=%FF", "search", "is not valid UTF-8");
        refused(API + "/executions?search=a%C3", "search", "is not valid UTF-8");
        mvc.perform(get(URI.create(API + "/jobs?search=%C3%A9t%C3%A9"))).andExpect(status().isOk());
    }

    /** A parameter read as one value given twice was decided silently (the first, or both joined by a comma). */
    @Test
    void aSingleValuedParameterGivenTwiceIsRefused() throws Exception {
        refused(API + "/executions?status=failed&status=success", "status", "is given twice: give it once");
        refused(API + "/jobs?limit=1&limit=500", "limit", "is given twice: give it once");
        refused(API + "/audit?action=a&action=b&action=c", "action", "is given 3 times: give it once");
        mvc.perform(get(API + "/jobs?limit=5")).andExpect(status().isOk());
    }

    @Test
    void aMisspeltParameterIsRefusedWithAHintInsteadOfAnUnfilteredList() throws Exception {
        refused(API + "/executions?statuses=failed", "statuses", "did you mean 'status'?");
        refused(API + "/executions?jobid=" + job, "jobid", "did you mean 'job_id'?");
        refused(API + "/executions?job=" + job, "job", "it takes job_id, status,");
        refused(API + "/executions?page=2", "page", "is not a parameter of this endpoint");
        refused(API + "/jobs?serach=x", "serach", "did you mean 'search'?");
        refused(API + "/jobs?lmit=5", "lmit", "did you mean 'limit'?");
        refused(API + "/jobs/" + job + "?verbose=true", "verbose", "it takes none");
        mvc.perform(get(URI.create(API + "/jobs?serach=x&lmit=5")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("serach"))
                .andExpect(jsonPath("$.errors[1].field").value("lmit"));
    }

    /** Each parameter an API read takes is still taken, alone and all together; the pages take what they like. */
    @Test
    void everyParameterOfEveryApiReadIsStillTaken() throws Exception {
        for (var endpoint : apiReads().entrySet()) {
            var all = get(endpoint.getKey());
            for (String name : endpoint.getValue()) {
                all.queryParam(name, "");
                taken(
                        endpoint.getKey() + " " + name,
                        mvc.perform(get(endpoint.getKey()).queryParam(name, "")));
            }
            taken(endpoint.getKey(), mvc.perform(all));
        }
        mvc.perform(get(URI.create("/executions?statuses=failed&page=2"))).andExpect(status().isOk());
    }

    /** Every {@code GET ...?...} the README and the guides show answers without refusing one of its parameters. */
    @Test
    void everyDocumentedParameterIsTaken() throws Exception {
        List<String> documented = new ArrayList<>();
        try (Stream<Path> docs = Files.list(Path.of("../docs"))) {
            for (Path doc : Stream.concat(Stream.of(Path.of("../README.md")), docs)
                    .filter(path -> path.toString().endsWith(".md"))
                    .toList()) {
                Matcher call = DOCUMENTED.matcher(read(doc));
                while (call.find()) {
                    String path =
                            call.group(1).replace("/api/admin/scheduler", "").replace("[", "");
                    String query = call.group(2)
                            .replace("\\|", "|")
                            .replaceAll("\\|[a-z]+", "")
                            .replace("...", "");
                    documented.add(path.replace("{id}", job).replace("{name}", "none") + "?" + query);
                }
            }
        }
        assertThat(documented).hasSizeGreaterThan(8);
        for (String call : documented) {
            taken(call, mvc.perform(get(URI.create(API + call))));
        }
    }

    private static void taken(String call, org.springframework.test.web.servlet.ResultActions answered)
            throws Exception {
        MockHttpServletResponse answer = answered.andReturn().getResponse();
        assertThat(answer.getStatus()).as(call).isLessThan(500);
        assertThat(answer.getContentAsString()).as(call).doesNotContain("is not a parameter", "NUL");
    }

    private void refused(String call, String field, String says) throws Exception {
        mvc.perform(get(URI.create(call)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value(field))
                .andExpect(jsonPath("$.errors[0].message").value(org.hamcrest.Matchers.containsString(says)));
    }

    /** The API's reads without a path variable, each with the names of its {@code @RequestParam}s. */
    private Map<String, List<String>> apiReads() {
        Map<String, List<String>> reads = new java.util.TreeMap<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping :
                mappings.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = mapping.getKey();
            if (!info.getMethodsCondition().getMethods().contains(RequestMethod.GET)) {
                continue;
            }
            for (String pattern : info.getPatternValues()) {
                if (pattern.startsWith(API) && !pattern.contains("{")) {
                    List<String> names = new ArrayList<>();
                    for (MethodParameter parameter : mapping.getValue().getMethodParameters()) {
                        RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
                        if (param != null) {
                            names.add(param.name().isEmpty() ? parameter.getParameterName() : param.name());
                        }
                    }
                    reads.put(pattern, names);
                }
            }
        }
        assertThat(reads).containsKeys(API + "/jobs", API + "/executions", API + "/calendars", API + "/audit");
        return reads;
    }

    private static String read(Path doc) {
        try {
            return Files.readString(doc);
        } catch (IOException unreadable) {
            throw new IllegalStateException(unreadable);
        }
    }
}
