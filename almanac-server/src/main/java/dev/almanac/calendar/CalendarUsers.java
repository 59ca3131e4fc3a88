package dev.almanac.calendar;

import java.util.List;

/** Who uses a calendar, so it is not deleted under them: the job registry answers it. */
public interface CalendarUsers {

    /**
     * The names of the jobs that list {@code calendar}, as blackout or only: any job for a global calendar ({@code
     * namespace} null), else the jobs of {@code namespace}.
     */
    List<String> jobsUsing(String namespace, String calendar);
}
