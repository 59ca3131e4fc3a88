package dev.almanac.job;

import dev.almanac.common.FieldError;
import dev.almanac.common.Sealed;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.security.NotificationUrlSealing;
import dev.almanac.security.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The webhook and Slack URLs of a job's notifications are secrets, like {@code x-secret} parameters: validated
 * plain, stored sealed with their scheme and host as the label ({@link Notifications#shown}), revealed only to send.
 * A client that sends the shown form back keeps the stored URL.
 */
@Component
class NotificationSecrets implements NotificationUrlSealing {

    private final Secrets secrets;

    NotificationSecrets(Secrets secrets) {
        this.secrets = secrets;
    }

    /**
     * What a client sent, ready to validate: a recipient shown as the stored URL's scheme and host becomes that URL
     * (the same place in the same list first, else the first stored URL shown that way), a sealed one stored with
     * this job is revealed. Any other sealed value is refused, and so is a shown form with no URL stored behind it.
     */
    /**
     * The settings with every shown URL that stands for a stored one replaced by it, and an error for each that
     * stands for none (or for several): those are left as sent, and the others unmasked all the same, so that the
     * validator reads the URLs that are fine as they are stored, not as they are shown.
     */
    Unmasked unmaskWhatIsStored(NotificationsJson incoming, Notifications stored) {
        if (incoming == null) {
            return new Unmasked(null, List.of());
        }
        Notifications before = stored == null ? Notifications.none() : stored;
        List<FieldError> errors = new ArrayList<>();
        NotificationsJson plain = new NotificationsJson(
                unmask("notifications.on_success", incoming.onSuccess(), before.onSuccess(), before, errors),
                unmask("notifications.on_failure", incoming.onFailure(), before.onFailure(), before, errors),
                unmask("notifications.on_retry", incoming.onRetry(), before.onRetry(), before, errors),
                incoming.alertIfNoSuccessWithin(),
                incoming.autoPauseAfterFailures());
        return new Unmasked(plain, List.copyOf(errors));
    }

    /** Settings unmasked as far as they could be, and what could not. */
    record Unmasked(NotificationsJson notifications, List<FieldError> errors) {}

    private List<String> unmask(
            String field, List<String> incoming, List<String> list, Notifications stored, List<FieldError> errors) {
        if (incoming == null) {
            return null;
        }
        List<String> all = new ArrayList<>(list);
        all.addAll(stored.onSuccess());
        all.addAll(stored.onFailure());
        all.addAll(stored.onRetry());
        List<String> result = new ArrayList<>();
        for (int i = 0; i < incoming.size(); i++) {
            String recipient = incoming.get(i);
            if (recipient == null) {
                result.add(null);
                continue;
            }
            String sealed = null;
            if (Sealed.isSealed(recipient)) {
                sealed = all.contains(recipient) ? recipient : null;
                if (sealed == null) {
                    errors.add(new FieldError(field + "[" + i + "]", "must not start with " + Sealed.PREFIX));
                }
            } else if (looksShown(recipient)) {
                int nth = occurrence(incoming, i);
                if (ambiguous(recipient, incoming, list, all)) {
                    // which of them is meant cannot be told from the shown form: keeping the wrong one would send
                    // this job's alerts to a channel that was removed, and none to the one kept
                    errors.add(new FieldError(
                            field + "[" + i + "]",
                            "stands for one of several stored webhook URLs shown alike; send the whole URL of each one"
                                    + " to keep"));
                    result.add(recipient);
                    continue;
                }
                sealed = nthShownAs(list, recipient, nth);
                if (sealed == null) {
                    sealed = nthShownAs(all, recipient, 0);
                }
                if (sealed == null) {
                    errors.add(new FieldError(
                            field + "[" + i + "]",
                            "is how a stored webhook URL is shown, but none is stored here; send the whole URL"));
                }
            }
            result.add(sealed == null ? recipient : secrets.reveal(sealed));
        }
        return result;
    }

    /**
     * Validated plain settings, ready to store: every URL sealed, one that did not change kept as it was: the sealed
     * value of the same list first (a URL in two lists is sealed twice, and each list keeps its own, so that sending
     * a job back unchanged changes nothing), else of another list, else a new one.
     */
    Notifications seal(Notifications plain, Notifications stored) {
        Notifications before = stored == null ? Notifications.none() : stored;
        List<String> all = new ArrayList<>(before.onSuccess());
        all.addAll(before.onFailure());
        all.addAll(before.onRetry());
        return new Notifications(
                seal(plain.onSuccess(), before.onSuccess(), all),
                seal(plain.onFailure(), before.onFailure(), all),
                seal(plain.onRetry(), before.onRetry(), all),
                plain.alertIfNoSuccessWithin(),
                plain.autoPauseAfterFailures());
    }

    private List<String> seal(List<String> plain, List<String> sameList, List<String> all) {
        List<String> sealed = new ArrayList<>();
        for (String recipient : plain) {
            if (!Notifications.isUrl(recipient)) {
                sealed.add(recipient);
                continue;
            }
            sealed.add(storedAs(recipient, sameList, sealed)
                    .or(() -> storedAs(recipient, all, sealed))
                    .orElseGet(() -> secrets.seal(recipient, Notifications.shown(recipient))));
        }
        return sealed;
    }

    /** The stored sealed value of {@code recipient} in {@code stored} not already taken by {@code taken}. */
    private Optional<String> storedAs(String recipient, List<String> stored, List<String> taken) {
        return stored.stream()
                .filter(s -> Sealed.isSealed(s)
                        && !taken.contains(s)
                        && secrets.reveal(s).equals(recipient))
                .findFirst();
    }

    /** The upgrade's use of {@link #seal}: plain URLs sealed, sealed ones and e-mail addresses left as they are. */
    @Override
    public List<String> sealUrls(List<String> recipients) {
        return seal(new Notifications(recipients, List.of()), null).onSuccess();
    }

    /** Stored settings with their URLs plain. */
    Notifications reveal(Notifications stored) {
        return stored.withRecipients(secrets::reveal);
    }

    /**
     * Whether the shown form {@code shown} could mean different stored URLs: the list stores several URLs shown so
     * and the request sends fewer of them than it stores (one was removed, and which one cannot be told), or the list
     * stores none and the other lists store several.
     */
    private boolean ambiguous(String shown, List<String> incoming, List<String> list, List<String> all) {
        List<String> here = shownAs(list, shown);
        if (here.isEmpty()) {
            return distinctUrls(shownAs(all, shown)) > 1;
        }
        long sent = incoming.stream().filter(shown::equals).count();
        return distinctUrls(here) > 1 && sent < here.size();
    }

    private static List<String> shownAs(List<String> stored, String shown) {
        return stored.stream()
                .filter(s -> Sealed.isSealed(s) && Sealed.shown(s).equals(shown))
                .toList();
    }

    private long distinctUrls(List<String> sealed) {
        return sealed.stream().map(secrets::reveal).distinct().count();
    }

    private static boolean looksShown(String recipient) {
        return Notifications.isUrl(recipient) && recipient.endsWith("/…");
    }

    private static int occurrence(List<String> list, int index) {
        int nth = 0;
        for (int i = 0; i < index; i++) {
            if (list.get(index).equals(list.get(i))) {
                nth++;
            }
        }
        return nth;
    }

    private static String nthShownAs(List<String> stored, String shown, int nth) {
        int seen = 0;
        for (String recipient : stored) {
            if (Sealed.isSealed(recipient) && Sealed.shown(recipient).equals(shown) && seen++ == nth) {
                return recipient;
            }
        }
        return null;
    }
}
