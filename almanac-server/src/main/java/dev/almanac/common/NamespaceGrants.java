package dev.almanac.common;

import java.util.List;

/**
 * What the operator's configuration grants a namespace's jobs, for its page: the targets ({@code
 * almanac.targets.<name>.namespaces}) and the allowed internal hosts ({@code almanac.http.host-namespaces}). Each
 * feature that owns such a grant answers for its kind.
 */
public interface NamespaceGrants {

    /** What is granted, as the page heads it: {@code Targets}, {@code Allowed internal hosts}. */
    String kind();

    /** The names granted to {@code namespace}'s jobs, in configured order. */
    List<String> grantedTo(String namespace);
}
