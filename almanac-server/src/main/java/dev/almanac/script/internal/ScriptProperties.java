package dev.almanac.script.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How scripts run on this node ({@code almanac.scripts.*}; environment variables {@code ALMANAC_SCRIPTS_*}).
 *
 * @param bwrap the bubblewrap binary; without it scripts do not run (unless {@code unsandboxed})
 * @param prlimit util-linux's {@code prlimit}, which sets the resource limits inside the sandbox
 * @param setpriv util-linux's {@code setpriv}, which drops root to {@code sandboxUid} before bubblewrap starts
 * @param interpreters the interpreter of each language ({@code python3}, {@code sh}, {@code node}); a language
 *     whose interpreter is not an executable file is unavailable
 * @param readOnlyPaths what the sandbox sees of the machine, read-only: the system's programs and libraries, no more
 * @param sandboxUid the user a script runs as when Almanac runs as root (the process limit counts per user)
 * @param unsandboxed development only: run scripts without bubblewrap; logged loudly and shown on every page
 * @param networkEnabled let versions approved with network access reach the network; off, such versions do not run
 * @param limits the resource limits of one run
 */
@ConfigurationProperties("almanac.scripts")
public record ScriptProperties(
        @DefaultValue("/usr/bin/bwrap") Path bwrap,
        @DefaultValue("/usr/bin/prlimit") Path prlimit,
        @DefaultValue("/usr/bin/setpriv") Path setpriv,
        @DefaultValue Interpreters interpreters,

        @DefaultValue({"/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/alternatives"})
        List<String> readOnlyPaths,

        @DefaultValue("65534") int sandboxUid,
        @DefaultValue("false") boolean unsandboxed,
        @DefaultValue("false") boolean networkEnabled,
        @DefaultValue Limits limits) {

    /** Where each language's interpreter is; a language whose interpreter is not an executable file is unavailable. */
    public record Interpreters(
            @DefaultValue("/usr/bin/python3") Path python3,
            @DefaultValue("/bin/sh") Path sh,
            @DefaultValue("/usr/bin/node") Path node) {}

    /**
     * The resource limits of one run.
     *
     * @param wallTime how long a run may take when its job sets no timeout
     * @param cpuTime CPU time, whole seconds (RLIMIT_CPU)
     * @param memory address space (RLIMIT_AS)
     * @param processes processes and threads of the sandbox's user (RLIMIT_NPROC)
     * @param openFiles open file descriptors (RLIMIT_NOFILE)
     * @param fileSize the largest file the script may write (RLIMIT_FSIZE)
     * @param tmpSize the size of its private {@code /tmp}
     * @param output the most bytes of stdout and stderr together; a run that writes more is stopped
     * @param lineLength the longest log line; longer lines are cut
     * @param nodeMemory address space for Node.js, whose V8 reserves about 1 GB before it runs a line
     */
    public record Limits(
            @DefaultValue("1h") Duration wallTime,
            @DefaultValue("60s") Duration cpuTime,
            @DefaultValue("512MB") DataSize memory,
            @DefaultValue("64") int processes,
            @DefaultValue("64") int openFiles,
            @DefaultValue("16MB") DataSize fileSize,
            @DefaultValue("64MB") DataSize tmpSize,
            @DefaultValue("1MB") DataSize output,
            @DefaultValue("4000") int lineLength,
            @DefaultValue("2GB") DataSize nodeMemory) {}
}
