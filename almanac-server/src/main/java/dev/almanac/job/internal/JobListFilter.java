package dev.almanac.job.internal;

import dev.almanac.job.JobQuery;
import jakarta.validation.constraints.Min;
import java.util.List;
import java.util.Locale;
import org.springframework.web.bind.annotation.BindParam;

/**
 * The job list's query string, bound by Spring:
 * {@code ?template_type=&state=&enabled=&last_status=&tag=&search=&sort=&page=&size=&invalid=}; {@code state} is the
 * State filter's choice ({@code enabled}, {@code disabled} or {@code paused}), {@code enabled} its older form.
 * An unknown status, sort or page size means "no filter" / the default, as a stale bookmark should.
 */
record JobListFilter(
        @BindParam("template_type") String templateType,
        Boolean enabled,
        @BindParam("last_status") String lastStatus,
        String tag,
        String search,
        String sort,
        @Min(value = 1, message = "must be 1 or more") Integer page,
        Integer size,
        Boolean invalid,
        String state) {

    /** The State filter's choices beside "any". */
    static final List<String> STATES = List.of("enabled", "disabled", "paused");

    static final int PAGE_SIZE = 25;
    static final List<Integer> PAGE_SIZES = List.of(25, 50, 100);
    static final List<String> LAST_STATUSES =
            List.of("succeeded", "failed", "timed_out", "cancelled", "skipped", "running", "queued");

    /** The first page of every job, what a filter that could not be read at all shows. */
    static final JobListFilter NONE = new JobListFilter(null, null, null, null, null, null, null, null, null, null);

    JobQuery toQuery() {
        return new JobQuery(
                        blankToNull(templateType),
                        "enabled".equals(state) ? Boolean.TRUE : "disabled".equals(state) ? Boolean.FALSE : enabled,
                        blankToNull(search),
                        tag == null || tag.isBlank() ? null : tag.strip().toLowerCase(Locale.ROOT),
                        lastStatus != null && LAST_STATUSES.contains(lastStatus) ? lastStatus : null,
                        JobQuery.Sort.fromJson(sort == null ? "" : sort).orElse(JobQuery.Sort.NAME),
                        page == null || page < 1 ? 1 : page,
                        size != null && PAGE_SIZES.contains(size) ? size : PAGE_SIZE)
                .invalid(invalid);
    }

    /** Whether the list shows only the jobs a pause holds now. */
    boolean paused() {
        return "paused".equals(state);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
