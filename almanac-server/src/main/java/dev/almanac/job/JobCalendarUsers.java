package dev.almanac.job;

import dev.almanac.calendar.CalendarUsers;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Tells the calendars which jobs use one, so a calendar in use is not deleted. */
@Component
class JobCalendarUsers implements CalendarUsers {

    private final JobRepository jobs;

    JobCalendarUsers(JobRepository jobs) {
        this.jobs = jobs;
    }

    @Override
    @Transactional(readOnly = true)
    public List<String> jobsUsing(String namespace, String calendar) {
        return jobs.jobsUsing(namespace, calendar);
    }
}
