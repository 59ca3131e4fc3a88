package dev.almanac.web;

/** Where a page may send the reader back to: a path of this site, never another host. */
public final class LocalPaths {

    private LocalPaths() {}

    /**
     * {@code back} when it is a path of this site ({@code /jobs?page=2}), else {@code fallback}. Refused: another host
     * ({@code //evil}, {@code /\evil}) and control characters, which browsers drop ({@code /\t/evil} becomes
     * {@code //evil}).
     */
    public static String orElse(String back, String fallback) {
        if (back == null || !back.startsWith("/") || back.startsWith("//") || back.contains("\\")) {
            return fallback;
        }
        for (int i = 0; i < back.length(); i++) {
            char c = back.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return fallback;
            }
        }
        return back;
    }
}
