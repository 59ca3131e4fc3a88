package dev.almanac.template;

/** How much harm a misconfigured run of a template can do; the UI and the role checks read it. */
public enum RiskLevel {
    /** Reads or reports only; a wrong run wastes time, nothing more. */
    LOW,
    /** Changes data or sends messages in a way that can be undone or is easy to notice. */
    MEDIUM,
    /** Deletes or overwrites data, or reaches many people or systems at once. */
    HIGH
}
