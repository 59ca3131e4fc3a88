package dev.almanac.job;

import java.util.List;

/**
 * Who hears about a job's final outcome. Each recipient is an e-mail address or an {@code http(s)} webhook URL.
 */
public record Notifications(List<String> onSuccess, List<String> onFailure) {

    public Notifications {
        onSuccess = onSuccess == null ? List.of() : List.copyOf(onSuccess);
        onFailure = onFailure == null ? List.of() : List.copyOf(onFailure);
    }

    public static Notifications none() {
        return new Notifications(List.of(), List.of());
    }
}
