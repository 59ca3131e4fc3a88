package dev.almanac.calendar.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Where a calendar lives, in the API and in the UI: its name, and its namespace as a query parameter. */
final class CalendarPaths {

    private CalendarPaths() {}

    static String api(String namespace, String name) {
        return "/api/admin/scheduler" + page(namespace, name);
    }

    static String page(String namespace, String name) {
        String path = "/calendars/" + encode(name);
        return namespace == null ? path : path + "?namespace=" + encode(namespace);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
