package dev.almanac.common;

import java.util.Set;

/**
 * The namespace the signed-in reader picked in the header of the UI, remembered per user, as the lists, the dashboard
 * and the audit page apply it. Answered by the security feature.
 */
public interface NamespaceSelection {

    /** The picked namespace, when it is one the reader may still see; null for all they may see. */
    String selected();

    /**
     * What a list keeps: null for no restriction (a global role with "all namespaces"), else the namespaces to keep
     * (the picked one, or every one the reader holds a role in).
     */
    Set<String> scope();
}
