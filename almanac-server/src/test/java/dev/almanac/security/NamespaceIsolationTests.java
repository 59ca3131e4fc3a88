package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.RowLocks;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Namespaces through the real HTTP interface: a super admin creates {@code a} and {@code b} with quotas and makes a
 * {@code USER} an editor in {@code a}; that user works in {@code a}, finds nothing of {@code b} by any road (each
 * answer the 404 of a missing object, or a list without it), and meets {@code a}'s job quota as a refusal naming it.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
abstract class NamespaceIsolationTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NamespaceIsolationTests {}

    @WithPostgres
    static class OnPostgres extends NamespaceIsolationTests {}

    static final String API = "/api/admin/scheduler";

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private static String heartbeat(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"template_type\":\"heartbeat\"," + "\"schedule\":{\"type\":\"interval\","
                + "\"interval_seconds\":60}" + (namespace == null ? "" : ",\"namespace\":\"" + namespace + "\"")
                + "}";
    }

    @Test
    void anEditorInOneNamespaceWorksThereAndFindsNothingOfAnother() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        assertThat(send(root, "POST", "/namespaces", """
                        {"name":"a","display_name":"Team A","quotas":{"jobs":2,"manual_runs_per_hour":50}}""").statusCode()).isEqualTo(201);
        assertThat(send(root, "POST", "/namespaces", """
                        {"name":"b","quotas":{"jobs":10,"runs_at_once":1,"history_days":30,"runs_per_job":100}}""").statusCode()).isEqualTo(201);
        String alice = logins.token("alice", TestLogins.USER, false);
        HttpResponse<String> members = send(
                root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"}]}");
        assertThat(members.statusCode()).as(members.body()).isEqualTo(200);

        // b's job, its run, its history: made by the super admin
        HttpResponse<String> bJob = send(root, "POST", "/jobs", heartbeat("b-secret", "b"));
        assertThat(bJob.statusCode()).as(bJob.body()).isEqualTo(201);
        String bId = JsonPath.read(bJob.body(), "$.job.id");
        assertThat((String) JsonPath.read(bJob.body(), "$.job.namespace")).isEqualTo("b");
        HttpResponse<String> bRun = send(root, "POST", "/jobs/" + bId + "/run", null);
        assertThat(bRun.statusCode()).as(bRun.body()).isEqualTo(202);
        String bExecution = JsonPath.read(bRun.body(), "$.execution_id");

        // alice works in a
        HttpResponse<String> aJob = send(alice, "POST", "/jobs", heartbeat("a-one", "a"));
        assertThat(aJob.statusCode()).as(aJob.body()).isEqualTo(201);
        String aId = JsonPath.read(aJob.body(), "$.job.id");
        assertThat(send(alice, "PUT", "/jobs/" + aId, "{\"description\":\"ours\"}")
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> aRun = send(alice, "POST", "/jobs/" + aId + "/run", null);
        assertThat(aRun.statusCode()).as(aRun.body()).isEqualTo(202);

        // ... and sees only a
        HttpResponse<String> list = send(alice, "GET", "/jobs", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("a-one").doesNotContain("b-secret");
        assertThat(send(alice, "GET", "/jobs?namespace=b", null).body()).contains("\"total\":0");
        assertThat(send(alice, "GET", "/jobs?search=b-secret", null).body()).contains("\"total\":0");
        assertThat(send(alice, "GET", "/executions", null).body()).contains(aId).doesNotContain(bId, bExecution);
        assertThat(send(alice, "GET", "/executions?namespace=b", null).body()).doesNotContain(bExecution);
        assertThat(send(alice, "GET", "/jobs/export", null).body())
                .contains("a-one")
                .doesNotContain("b-secret");
        assertThat(send(alice, "GET", "/jobs/export?namespace=b", null).body()).doesNotContain("b-secret");
        HttpResponse<String> namespaces = send(alice, "GET", "/namespaces", null);
        assertThat(namespaces.body())
                .contains("\"name\":\"a\"", "\"your_role\":\"editor\"")
                .doesNotContain("\"name\":\"b\"");

        // every road to b answers like a missing object
        for (String[] call : List.of(
                new String[] {"GET", "/jobs/" + bId},
                new String[] {"PUT", "/jobs/" + bId},
                new String[] {"DELETE", "/jobs/" + bId},
                new String[] {"POST", "/jobs/" + bId + "/run"},
                new String[] {"POST", "/jobs/" + bId + "/clone"},
                new String[] {"GET", "/jobs/" + bId + "/versions"},
                new String[] {"GET", "/jobs/" + bId + "/versions/1"},
                new String[] {"GET", "/jobs/" + bId + "/executions"},
                new String[] {"GET", "/jobs/" + bId + "/notifications"},
                new String[] {"GET", "/executions/" + bExecution},
                new String[] {"POST", "/executions/" + bExecution + "/cancel"},
                new String[] {"DELETE", "/executions/" + bExecution},
                new String[] {"GET", "/executions/" + bExecution + "/artifacts"},
                new String[] {"GET", "/executions/" + bExecution + "/notifications"},
                new String[] {"GET", "/namespaces/b"},
                new String[] {"PUT", "/namespaces/b"},
                new String[] {"GET", "/namespaces/b/members"},
                new String[] {"PUT", "/namespaces/b/members"})) {
            String body = call[1].endsWith("/members") ? "{\"members\":[]}" : "{\"description\":\"x\"}";
            HttpResponse<String> hidden = send(alice, call[0], call[1], call[0].equals("PUT") ? body : null);
            assertThat(hidden.statusCode())
                    .as(call[0] + " " + call[1] + ": " + hidden.body())
                    .isEqualTo(404);
            assertThat(hidden.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(hidden.body()).doesNotContain("b-secret");
        }
        HttpResponse<String> intoB = send(alice, "POST", "/jobs", heartbeat("a-sneaks", "b"));
        assertThat(intoB.statusCode()).isEqualTo(400);
        assertThat(intoB.body()).contains("namespace", "no namespace named 'b'");
        HttpResponse<String> moveToB = send(alice, "PUT", "/jobs/" + aId, "{\"namespace\":\"b\"}");
        assertThat(moveToB.statusCode()).isEqualTo(400);
        HttpResponse<String> importIntoB =
                send(alice, "POST", "/jobs/import?mode=plan", "{\"jobs\":[" + heartbeat("a-imported", "b") + "]}");
        assertThat(importIntoB.statusCode()).as(importIntoB.body()).isEqualTo(200);
        assertThat(importIntoB.body()).contains("\"invalid\"", "no namespace named 'b'");
        // b's jobs can be neither an upstream nor a source of results: named as if they did not exist
        for (String upstream : List.of("b-secret", bId)) {
            HttpResponse<String> triggered = send(
                    alice,
                    "POST",
                    "/jobs",
                    heartbeat("a-listens", "a")
                            .replaceFirst("\\}$", ",\"triggers\":[{\"job\":\"" + upstream + "\"}]}"));
            assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(400);
            assertThat(triggered.body()).contains("triggers[0].job", "no job named or with id");
        }
        HttpResponse<String> dependsOnB = send(
                alice,
                "POST",
                "/jobs",
                heartbeat("a-waits", "a").replaceFirst("\\}$", ",\"depends_on\":[\"" + bId + "\"]}"));
        assertThat(dependsOnB.statusCode()).as(dependsOnB.body()).isEqualTo(400);
        // global calendars and scripts are shared by every namespace: not one team member's to change
        assertThat(send(
                                alice,
                                "POST",
                                "/calendars",
                                "{\"name\":\"ours\",\"timezone\":\"UTC\",\"dates\":[\"2026-12-25\"]}")
                        .statusCode())
                .isEqualTo(403);
        assertThat(send(alice, "POST", "/scripts", "{\"name\":\"ours\",\"language\":\"sh\",\"source\":\"echo hi\"}")
                        .statusCode())
                .isEqualTo(403);
        // the scheduler-wide status and the audit trail are not a namespace's to read
        assertThat(send(alice, "GET", "/status", null).statusCode()).isEqualTo(403);
        assertThat(send(alice, "GET", "/audit", null).statusCode()).isEqualTo(403);

        // a's job quota of 2
        assertThat(send(alice, "POST", "/jobs", heartbeat("a-two", "a")).statusCode())
                .isEqualTo(201);
        HttpResponse<String> overQuota = send(alice, "POST", "/jobs", heartbeat("a-three", "a"));
        assertThat(overQuota.statusCode()).isEqualTo(403);
        assertThat(overQuota.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(overQuota.body()).contains("job quota", "namespace 'a'", "2 jobs", "quota is 2");
        assertThat(send(alice, "GET", "/namespaces/a", null).body()).contains("\"usage\":{\"jobs\":2");

        // the audit trail keeps each job event's namespace
        HttpResponse<String> bAudit = send(root, "GET", "/audit?namespace=b", null);
        assertThat(bAudit.body()).contains("b-secret", "\"namespace\":\"b\"").doesNotContain("a-one");
        assertThat(send(root, "GET", "/audit?namespace=a", null).body()).contains("a-one", "job.run");

        // a namespace that still holds jobs is not deleted
        HttpResponse<String> deleteB = send(root, "DELETE", "/namespaces/b", null);
        assertThat(deleteB.statusCode()).isEqualTo(409);
        assertThat(deleteB.body()).contains("1 job");
    }

    @Test
    void concurrentCreatesMovesAndImportsHoldANamespaceToItsJobQuota() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        for (String name : List.of("made", "moved", "imported")) {
            assertThat(send(root, "POST", "/namespaces", "{\"name\":\"" + name + "\",\"quotas\":{\"jobs\":1}}")
                            .statusCode())
                    .isEqualTo(201);
        }
        List<String> toMove = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> created = send(root, "POST", "/jobs", heartbeat("mover-" + i, null));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            toMove.add(JsonPath.read(created.body(), "$.job.id"));
        }

        List<Integer> creates = inParallel(10, i -> send(root, "POST", "/jobs", heartbeat("made-" + i, "made")));
        List<Integer> moves = inParallel(10, i -> send(root, "PUT", "/jobs/" + toMove.get(i), """
                {"namespace":"moved"}"""));
        List<Integer> imports = inParallel(
                10,
                i -> send(root, "POST", "/jobs/import?mode=apply", """
                {"jobs":[%s]}""".formatted(
                                heartbeat("imported-" + i, "imported"))));

        assertThat(creates).containsOnly(201, 403).filteredOn(s -> s == 201).hasSize(1);
        assertThat(moves).containsOnly(200, 403).filteredOn(s -> s == 200).hasSize(1);
        assertThat(imports).as(lastBodies.toString()).filteredOn(s -> s == 200).hasSize(1);
        assertThat(imports).filteredOn(s -> s != 200).allMatch(s -> s == 400 || s == 403);
        for (String name : List.of("made", "moved", "imported")) {
            assertThat(send(root, "GET", "/namespaces/" + name, null).body())
                    .as(name)
                    .contains("\"usage\":{\"jobs\":1");
        }
    }

    private final List<String> lastBodies = new CopyOnWriteArrayList<>();

    @Test
    void aNamespaceCreatedAgainUnderADeletedOnesNameShowsItsMembersNothingOfTheOldOne() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        String quota = "{\"name\":\"tmpns\",\"quotas\":{\"manual_runs_per_hour\":5}}";
        assertThat(send(root, "POST", "/namespaces", quota).statusCode()).isEqualTo(201);
        HttpResponse<String> old = send(root, "POST", "/jobs", heartbeat("old-secret", "tmpns"));
        String oldId = JsonPath.read(old.body(), "$.job.id");
        String oldRun = JsonPath.read(
                send(root, "POST", "/jobs/" + oldId + "/run", null).body(), "$.execution_id");
        assertThat(send(root, "DELETE", "/jobs/" + oldId, null).statusCode()).isEqualTo(200);
        assertThat(send(root, "DELETE", "/namespaces/tmpns", null).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofMinutes(1));
        assertThat(send(root, "POST", "/namespaces", quota).statusCode()).isEqualTo(201);
        String carol = logins.token("carol", TestLogins.USER, false);
        assertThat(send(root, "PUT", "/namespaces/tmpns/members", """
                        {"members":[{"username":"carol","role":"viewer"}]}""").statusCode())
                .isEqualTo(200);
        for (String path : List.of(
                "/jobs/" + oldId + "/versions",
                "/jobs/" + oldId + "/versions/1",
                "/jobs/" + oldId + "/executions",
                "/executions/" + oldRun)) {
            HttpResponse<String> hidden = send(carol, "GET", path, null);
            assertThat(hidden.statusCode()).as(path + ": " + hidden.body()).isEqualTo(404);
            assertThat(send(root, "GET", path, null).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(send(carol, "GET", "/namespaces/tmpns", null).body()).contains("\"manual_runs_last_hour\":0");

        // what is deleted in the namespace as it is now stays its members' to read, by either road
        clock.advance(Duration.ofMinutes(1));
        String newId = JsonPath.read(
                send(root, "POST", "/jobs", heartbeat("new-one", "tmpns")).body(), "$.job.id");
        String newRun = JsonPath.read(
                send(root, "POST", "/jobs/" + newId + "/run", null).body(), "$.execution_id");
        assertThat(send(root, "DELETE", "/jobs/" + newId, null).statusCode()).isEqualTo(200);
        assertThat(send(carol, "GET", "/jobs/" + newId + "/versions", null).statusCode())
                .isEqualTo(200);
        assertThat(send(carol, "GET", "/jobs/" + newId + "/executions", null).body())
                .contains(newRun);
        assertThat(send(carol, "GET", "/executions/" + newRun, null).statusCode())
                .isEqualTo(200);
        assertThat(send(carol, "GET", "/namespaces/tmpns", null).body()).contains("\"manual_runs_last_hour\":1");
    }

    /**
     * A create under the per-user job quota holds its user's row, then the namespace's; a delete of that namespace
     * must wait on the same user's row first (its foreign key sets the user's current namespace to none), or the two
     * wait on each other and the database aborts one.
     */
    @Test
    void aNamespaceDeleteWaitsForACreateThatHoldsAUserWorkingInIt() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        assertThat(send(root, "POST", "/namespaces", "{\"name\":\"going\",\"quotas\":{\"jobs\":5}}")
                        .statusCode())
                .isEqualTo(201);
        logins.token("dora", TestLogins.USER, false);
        jdbc.sql("UPDATE users SET current_namespace = 'going' WHERE username = 'dora'")
                .update();

        CountDownLatch userHeld = new CountDownLatch(1);
        CountDownLatch deleteWaits = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // dora's create, as JobCommands takes its locks under ALMANAC_SECURITY_JOB_QUOTA: her row, then the
            // namespace's (NamespaceQuotas counts its jobs)
            Future<NamespaceQuotas.JobRoom> create = pool.submit(() -> transactions.execute(t -> {
                jdbc.sql("SELECT username FROM users WHERE username = 'dora' FOR UPDATE")
                        .query(String.class)
                        .list();
                userHeld.countDown();
                await(deleteWaits);
                return quotas.lockedJobRoom("going");
            }));
            await(userHeld);
            Future<HttpResponse<String>> delete = pool.submit(() -> send(root, "DELETE", "/namespaces/going", null));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> RowLocks.someoneWaits(dataSource));
            deleteWaits.countDown();

            assertThat(create.get(30, TimeUnit.SECONDS).jobs()).isZero();
            HttpResponse<String> deleted = delete.get(30, TimeUnit.SECONDS);
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        } finally {
            deleteWaits.countDown();
            pool.shutdownNow();
        }
        assertThat(jdbc.sql("SELECT count(*) FROM users WHERE username = 'dora' AND current_namespace IS NULL")
                        .query(Long.class)
                        .single())
                .isOne();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    NamespaceQuotas quotas;

    @Autowired
    DataSource dataSource;

    /** The status of each of {@code count} requests sent all at once, in order. */
    private List<Integer> inParallel(int count, Request request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                answers.add(pool.submit(() -> {
                    start.await();
                    HttpResponse<String> answer = request.send(n);
                    lastBodies.add(answer.body());
                    return answer.statusCode();
                }));
            }
            lastBodies.clear();
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get(60, TimeUnit.SECONDS));
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }

    private interface Request {
        HttpResponse<String> send(int n) throws Exception;
    }

    @Test
    void aUserWithoutANamespaceRoleStaysLockedOutAndAnAdminKeepsItsRights() throws Exception {
        String bob = logins.token("bob", TestLogins.USER, false);
        assertThat(send(bob, "GET", "/jobs", null).statusCode()).isEqualTo(403);
        assertThat(send(bob, "GET", "/namespaces", null).statusCode()).isEqualTo(403);

        String root = logins.token(TestLogins.SUPER_ADMIN);
        send(root, "POST", "/namespaces", "{\"name\":\"c\"}");
        String admin = logins.token(TestLogins.ADMIN);
        HttpResponse<String> created = send(admin, "POST", "/jobs", heartbeat("admin-in-c", "c"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(send(admin, "GET", "/jobs?namespace=c", null).body()).contains("admin-in-c");
        assertThat(send(admin, "POST", "/namespaces", "{\"name\":\"d\"}").statusCode())
                .isEqualTo(403);
        assertThat(send(admin, "PUT", "/namespaces/c/members", "{\"members\":[]}")
                        .statusCode())
                .isEqualTo(403);
    }

    private HttpResponse<String> send(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + API + path))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
