package dev.almanac.script;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The languages a script may be written in; each runs only where its interpreter is found. */
public enum Language {
    PYTHON3("python3", "script.py"),
    SH("sh", "script.sh"),
    NODE("node", "script.js");

    private final String json;
    private final String fileName;

    Language(String json, String fileName) {
        this.json = json;
        this.fileName = fileName;
    }

    /** The name the API and the configuration use: {@code python3}, {@code sh}, {@code node}. */
    public String json() {
        return json;
    }

    /** The file name the source gets inside the sandbox. */
    public String fileName() {
        return fileName;
    }

    public static Optional<Language> of(String name) {
        return Arrays.stream(values())
                .filter(language -> language.json.equals(name == null ? null : name.toLowerCase(Locale.ROOT)))
                .findFirst();
    }
}
