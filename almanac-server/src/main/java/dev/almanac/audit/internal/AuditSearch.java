package dev.almanac.audit.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.PageCursor;
import dev.almanac.common.QueryParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A search of the audit trail as a person or a script types it, for the API and the audit page alike: every filter
 * is text, each bad one is a field error, and a page of events comes back newest first with the cursor of the next.
 */
@Service
public class AuditSearch {

    private final AuditRepository events;

    AuditSearch(AuditRepository events) {
        this.events = events;
    }

    /** The filters as given; any may be null or blank. {@code from} and {@code to} are ISO-8601 instants. */
    record Filter(
            String actor,
            String action,
            String target,
            String from,
            String to,
            String limit,
            String before,
            String namespace) {

        Filter(String actor, String action, String target, String from, String to, String limit, String before) {
            this(actor, action, target, from, to, limit, before, null);
        }
    }

    /** One page of events, and the {@code before} of the next page when there may be one. */
    record Page(List<AuditEvent> events, String nextBefore) {}

    private static PageCursor cursorOf(AuditEvent event) {
        return PageCursor.of(event.occurredAt(), UUID.fromString(event.id()));
    }

    static final String GONE = "no audit event with this id";

    /** @throws dev.almanac.common.InvalidInputException naming every bad filter */
    @Transactional(readOnly = true)
    Page search(Filter filter, int defaultLimit) {
        List<FieldError> errors = new ArrayList<>();
        PageCursor cursor = PageCursor.read(
                        "before", filter.before(), id -> events.find(id).map(AuditSearch::cursorOf), GONE, errors)
                .orElse(null);
        AuditQuery query = new AuditQuery(
                QueryParameters.text(filter.actor()),
                QueryParameters.text(filter.action()),
                QueryParameters.text(filter.target()),
                QueryParameters.instant("from", filter.from(), errors),
                QueryParameters.instant("to", filter.to(), errors),
                cursor,
                QueryParameters.integer("limit", filter.limit(), defaultLimit, 1, AuditQuery.MAX_LIMIT, errors),
                QueryParameters.text(filter.namespace()) == null
                        ? null
                        : java.util.Set.of(filter.namespace().strip()));
        QueryParameters.ordered(query.from(), query.to(), errors);
        QueryParameters.check(errors);
        List<AuditEvent> rows = events.find(query.oneMore());
        List<AuditEvent> page = rows.subList(0, Math.min(rows.size(), query.limit()));
        String next = rows.size() > query.limit()
                ? cursorOf(page.get(page.size() - 1)).encoded()
                : null;
        return new Page(page, next);
    }
}
