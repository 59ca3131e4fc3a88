package dev.almanac.job;

import java.util.List;

/** One page of jobs and how many match in all. */
public record JobPage(List<Job> jobs, long total, int page, int limit) {

    public int pages() {
        return (int) ((total + limit - 1) / limit);
    }
}
