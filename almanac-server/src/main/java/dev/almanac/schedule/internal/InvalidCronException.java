package dev.almanac.schedule.internal;

import java.util.List;

/** A cron expression that breaks one or more rules; each problem is a message for the expression field. */
public final class InvalidCronException extends IllegalArgumentException {

    private final List<String> problems;

    InvalidCronException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
