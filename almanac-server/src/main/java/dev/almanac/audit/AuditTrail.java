package dev.almanac.audit;

import dev.almanac.audit.internal.AuditEvent;
import dev.almanac.audit.internal.AuditRepository;
import dev.almanac.audit.internal.RefusalsAfterTransactions;
import dev.almanac.common.NamespaceResolver;
import dev.almanac.common.Sealed;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Records who did what to which target, when and from where. The actor, the source address and how the actor
 * authenticated come from the current request; sealed secrets in details are masked before anything is stored.
 * An event joins the caller's transaction, so a change and its event commit together, except a refusal
 * ({@link #DENIED}): the exception that answers it rolls the caller's transaction back, which must not take the event
 * with it. Outside a transaction it commits at once; inside one, in a request, it is written when the request's work
 * is done ({@link RefusalsAfterTransactions}: not on a second connection while the first is held); elsewhere in a
 * transaction of its own.
 *
 * <p>Actions: {@code job.created}, {@code job.updated}, {@code job.enabled}, {@code job.disabled},
 * {@code job.deleted}, {@code job.imported}, {@code job.run}, {@code execution.cancelled},
 * {@code execution.deleted}, {@code login.succeeded}, {@code login.failed}, {@code logout},
 * {@code access.denied}, {@code token.created}, {@code token.revoked}, {@code user.created},
 * {@code user.updated}, {@code user.password_changed}, {@code user.deleted}, {@code job.auto_paused} (by {@code system}).
 */
@Service
public class AuditTrail {

    /** The request attribute where security puts how the caller authenticated ({@code token:<name>}, ...). */
    public static final String VIA_ATTRIBUTE = AuditTrail.class.getName() + ".via";

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String DENIED = "denied";

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

    private final AuditRepository events;
    private final Clock clock;
    // looked up when first asked: the features that resolve namespaces record audit events themselves
    private final ObjectProvider<NamespaceResolver> namespaces;
    private final TransactionTemplate ownTransaction;

    AuditTrail(
            AuditRepository events,
            Clock clock,
            ObjectProvider<NamespaceResolver> namespaces,
            PlatformTransactionManager transactions) {
        this.events = events;
        this.clock = clock;
        this.namespaces = namespaces;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /**
     * What an event is about; {@code namespace} is the namespace of a job or execution, looked up by its id when it
     * is not given.
     */
    public record Target(String type, String id, String name, String namespace) {

        public Target(String type, String id, String name) {
            this(type, id, name, null);
        }

        public static Target of(String type, Object id, String name) {
            return new Target(type, id == null ? null : id.toString(), name, null);
        }

        /** A target in a known namespace: a job as it was when deleted, or one being created. */
        public static Target of(String type, Object id, String name, String namespace) {
            return new Target(type, id == null ? null : id.toString(), name, namespace);
        }
    }

    /** The namespace {@code target} belongs to: its own, or the one its owner says; null when it has none. */
    public String namespaceOf(Target target) {
        if (target == null) {
            return null;
        }
        if (target.namespace() != null || target.id() == null) {
            return target.namespace();
        }
        for (NamespaceResolver resolver : namespaces.orderedStream().toList()) {
            Optional<String> namespace = resolver.namespaceOf(target.type(), target.id());
            if (namespace.isPresent()) {
                return namespace.get();
            }
        }
        return null;
    }

    /** Records a successful action of the current actor. */
    public void record(String action, Target target, Map<String, Object> details) {
        record(currentActorName(), action, SUCCESS, target, details);
    }

    /**
     * Records an action with an explicit actor and outcome (a failed login names the user it tried). A refusal
     * ({@link #DENIED}) is committed whatever becomes of the caller's transaction.
     */
    public void record(String actor, String action, String outcome, Target target, Map<String, Object> details) {
        AuditEvent event = new AuditEvent(
                UUID.randomUUID().toString(),
                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                actor == null || actor.isBlank() ? "anonymous" : actor,
                action,
                outcome,
                target == null ? null : target.type(),
                target == null ? null : target.id(),
                target == null ? null : target.name(),
                sourceAddress(),
                via(),
                Sealed.maskedMap(details),
                namespaceOf(target));
        if (!DENIED.equals(outcome) || !TransactionSynchronizationManager.isActualTransactionActive()) {
            events.insert(event);
        } else if (!RefusalsAfterTransactions.defer(event)) {
            ownTransaction.executeWithoutResult(status -> events.insert(event));
        }
        // actor and target names are typed by users (a login form's user name, a job's name): a line break in
        // one must not start a line of its own in the log, which would read as another event
        log.info(
                "audit: {} {} {} {} {} from {}",
                forLog(event.actor()),
                forLog(action),
                forLog(outcome),
                event.targetType() == null ? "-" : forLog(event.targetType()),
                forLog(event.targetName() != null ? event.targetName() : event.targetId()),
                forLog(event.sourceAddress()));
    }

    /** {@code value} with CR, LF, tab and every other control character escaped ({@code \\n}, {@code \\u001b}). */
    private static String forLog(String value) {
        if (value == null || value.chars().noneMatch(AuditTrail::breaksALogLine)) {
            return value;
        }
        StringBuilder escaped = new StringBuilder(value.length() + 16);
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> escaped.append(breaksALogLine(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return escaped.toString();
    }

    private static boolean breaksALogLine(int c) {
        return Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
    }

    /**
     * How many times {@code actor} successfully did {@code action} after {@code since}, and when the oldest of
     * those was: what per-user limits count.
     */
    public Count count(String actor, String action, Instant since) {
        AuditRepository.Recent recent = events.recent(actor, action, since);
        return new Count(recent.count(), recent.oldest());
    }

    /** How many times anyone successfully did {@code action} in {@code namespace} after {@code since}. */
    public Count countInNamespace(String namespace, String action, Instant since) {
        AuditRepository.Recent recent = events.recentInNamespace(namespace, action, since);
        return new Count(recent.count(), recent.oldest());
    }

    /** A count of recent events and the time of the oldest (null when there are none). */
    public record Count(long count, Instant oldest) {}

    /** The current user name, or {@code anonymous}. */
    public static String currentActorName() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null
                || authentication instanceof AnonymousAuthenticationToken
                || !authentication.isAuthenticated()) {
            return "anonymous";
        }
        return authentication.getName();
    }

    private static String sourceAddress() {
        HttpServletRequest request = currentRequest();
        return request == null ? null : request.getRemoteAddr();
    }

    private static String via() {
        HttpServletRequest request = currentRequest();
        if (request == null) {
            return null;
        }
        Object via = request.getAttribute(VIA_ATTRIBUTE);
        if (via != null) {
            return via.toString();
        }
        return request.getSession(false) != null ? "session" : null;
    }

    private static HttpServletRequest currentRequest() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes instanceof ServletRequestAttributes servlet ? servlet.getRequest() : null;
    }
}
