package dev.almanac.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What to run and how big. Defaults are the full benchmark; {@code --quick} is the smoke check CI runs (about a
 * minute); every size can be set on its own ({@code --drain-jobs=5000}).
 */
record Options(
        boolean quick,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int runs,
        int drainJobs,
        int warmupJobs,
        int warmupSeconds,
        int footprintWarmupSeconds,
        int latenessRate,
        int latenessSeconds,
        int drainMaxSeconds,
        int latenessTailSeconds,
        int registryJobs,
        int registryApiCreates,
        int apiSeconds,
        int apiClients,
        int apiRate,
        long historyRows,
        int threads,
        List<String> workloads,
        List<String> systems,
        Path out,
        boolean updateReadme,
        String command) {

    static final List<String> ALL_WORKLOADS = List.of("drain", "lateness", "registry", "api", "footprint", "history");
    static final List<String> ALL_SYSTEMS = List.of(
            "almanac-1", "almanac-3", "dbs-fetch-1", "dbs-fetch-3", "dbs-lock-1", "dbs-lock-3", "quartz-1", "quartz-3");

    static Options parse(String... args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        String dbUrl = env("ALMANAC_BENCH_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String dbUser = env("ALMANAC_BENCH_DB_USER", "postgres");
        String dbPassword = env("ALMANAC_BENCH_DB_PASSWORD", "");
        int runs = quick ? 1 : 3;
        int drainJobs = quick ? 100 : 20_000;
        int warmupJobs = quick ? 0 : 20_000;
        int warmupSeconds = quick ? 0 : 60;
        int footprintWarmupSeconds = quick ? 0 : 300;
        int latenessRate = quick ? 50 : 200;
        int latenessSeconds = quick ? 3 : 60;
        int drainMaxSeconds = quick ? 30 : 300;
        int latenessTailSeconds = quick ? 10 : 60;
        int registryJobs = quick ? 1_000 : 100_000;
        int registryApiCreates = quick ? 50 : 2_000;
        int apiSeconds = quick ? 3 : 20;
        int apiClients = 8;
        int apiRate = quick ? 50 : 500;
        long historyRows = quick ? 20_000 : 10_000_000;
        int threads = 10;
        List<String> workloads = ALL_WORKLOADS;
        List<String> systems = ALL_SYSTEMS;
        Path out =
                Files.isDirectory(Path.of("almanac-bench")) ? Path.of("almanac-bench", "results") : Path.of("results");
        Boolean updateReadme = null;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException(usage());
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unknown argument " + arg + "\n" + usage());
            }
            String key = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            switch (key) {
                case "db-url" -> dbUrl = value;
                case "db-user" -> dbUser = value;
                case "db-password" -> dbPassword = value;
                case "runs" -> runs = Integer.parseInt(value);
                case "drain-jobs" -> drainJobs = Integer.parseInt(value);
                case "warmup-jobs" -> warmupJobs = Integer.parseInt(value);
                case "warmup-seconds" -> warmupSeconds = Integer.parseInt(value);
                case "footprint-warmup-seconds" -> footprintWarmupSeconds = Integer.parseInt(value);
                case "lateness-rate" -> latenessRate = Integer.parseInt(value);
                case "lateness-seconds" -> latenessSeconds = Integer.parseInt(value);
                case "drain-max-seconds" -> drainMaxSeconds = Integer.parseInt(value);
                case "lateness-tail-seconds" -> latenessTailSeconds = Integer.parseInt(value);
                case "registry-jobs" -> registryJobs = Integer.parseInt(value);
                case "registry-api-creates" -> registryApiCreates = Integer.parseInt(value);
                case "api-seconds" -> apiSeconds = Integer.parseInt(value);
                case "api-clients" -> apiClients = Integer.parseInt(value);
                case "api-rate" -> apiRate = Integer.parseInt(value);
                case "history-rows" -> historyRows = Long.parseLong(value);
                case "threads" -> threads = Integer.parseInt(value);
                case "workloads" -> workloads = list(value, ALL_WORKLOADS);
                case "systems" -> systems = list(value, ALL_SYSTEMS);
                case "out" -> out = Path.of(value);
                case "update-readme" -> updateReadme = Boolean.parseBoolean(value);
                default -> throw new IllegalArgumentException("unknown option --" + key + "\n" + usage());
            }
        }
        if (runs < 1
                || drainJobs < 1
                || warmupJobs < 0
                || warmupSeconds < 0
                || footprintWarmupSeconds < 0
                || latenessRate < 1
                || latenessSeconds < 1
                || registryJobs < 1
                || apiSeconds < 1
                || apiRate < 1) {
            throw new IllegalArgumentException("sizes must be positive\n" + usage());
        }
        registryApiCreates = Math.min(registryApiCreates, registryJobs);
        boolean readme = updateReadme != null ? updateReadme : !quick;
        String command = "java -jar almanac-bench/target/almanac-bench.jar"
                + (args.length == 0 ? "" : " " + String.join(" ", args));
        return new Options(
                quick,
                dbUrl,
                dbUser,
                dbPassword,
                runs,
                drainJobs,
                warmupJobs,
                warmupSeconds,
                footprintWarmupSeconds,
                latenessRate,
                latenessSeconds,
                drainMaxSeconds,
                latenessTailSeconds,
                registryJobs,
                registryApiCreates,
                apiSeconds,
                apiClients,
                apiRate,
                historyRows,
                threads,
                workloads,
                systems,
                out,
                readme,
                command);
    }

    boolean runs(String workload) {
        return workloads.contains(workload);
    }

    private static List<String> list(String value, List<String> allowed) {
        List<String> result = new ArrayList<>();
        for (String item : value.toLowerCase(Locale.ROOT).split(",")) {
            String trimmed = item.trim();
            if (!allowed.contains(trimmed)) {
                throw new IllegalArgumentException("unknown value '" + trimmed + "'; choose from " + allowed);
            }
            result.add(trimmed);
        }
        return List.copyOf(result);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static String usage() {
        return """
                usage: java -jar almanac-bench/target/almanac-bench.jar [--quick] [--option=value ...]
                  --db-url=jdbc:postgresql://127.0.0.1:5432/test  (or ALMANAC_BENCH_DB_URL)
                  --db-user=postgres --db-password=               (or ALMANAC_BENCH_DB_USER / _PASSWORD)
                  --runs=3 --drain-jobs=20000 --lateness-rate=200 --lateness-seconds=60
                  --drain-max-seconds=300 (a drain still going then is cut off and counted as done/elapsed)
                  --warmup-jobs=20000 --warmup-seconds=60 (in each run's instances, before their drain and
                                              lateness: unmeasured drains of this many jobs, one after another
                                              until this long has passed; 0: none)
                  --footprint-warmup-seconds=300 (the footprint node: the API mix until its JIT compilers are
                                              idle, at most this long; 0: none)
                  --lateness-tail-seconds=60 (jobs not started that long after the last was due count as late
                                              as the cut-off: a lower bound)
                  --registry-jobs=100000 --registry-api-creates=2000 --api-seconds=20 --api-clients=8
                  --api-rate=500 (the footprint workload's API mix, requests per second)
                  --history-rows=10000000 --threads=10
                  --workloads=drain,lateness,registry,api,footprint,history
                  --systems=almanac-1,almanac-3,dbs-fetch-1,dbs-fetch-3,dbs-lock-1,dbs-lock-3,quartz-1,quartz-3
                  --out=almanac-bench/results --update-readme=true|false
                """;
    }
}
