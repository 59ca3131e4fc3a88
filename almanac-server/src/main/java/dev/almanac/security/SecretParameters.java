package dev.almanac.security;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.Sealed;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.SecretSchema;
import dev.almanac.template.TemplateRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Template parameters marked {@code "x-secret": true} in the template's JSON Schema. The mark goes on a string, or
 * on an object or array whose values are secrets (on the node itself, or on its {@code additionalProperties} or
 * {@code items}), at any depth of {@code properties}, {@code additionalProperties} and {@code items}: every string
 * at or under a marked node is a secret ({@link SecretSchema}; a template that marks one elsewhere is not registered).
 * Secrets are validated plain, stored sealed, handed to the template plain,
 * and shown as {@link Sealed#MASK}; a client that sends the mask back at the same place keeps the stored secret.
 */
@Component
public class SecretParameters {

    /** A step of a secret path: a property name, any key of a map or any array item ({@link SecretSchema}). */
    static final String ANY_KEY = SecretSchema.ANY_KEY;

    static final String ANY_ITEM = SecretSchema.ANY_ITEM;

    private final TemplateRegistry templates;
    private final Secrets secrets;
    private final JsonMapper json;
    private final Map<String, List<List<String>>> pathsByType = new ConcurrentHashMap<>();

    SecretParameters(TemplateRegistry templates, Secrets secrets, JsonMapper json) {
        this.templates = templates;
        this.secrets = secrets;
        this.json = json;
    }

    /**
     * What a client sent, ready to validate: the mask at a secret path becomes the stored secret's plain text. A
     * value that looks sealed is refused anywhere: only the server seals. An empty secret is refused too: it would be
     * stored, shown as the mask and sent empty.
     */
    public Map<String, Object> unmask(String type, Map<String, Object> incoming, Map<String, Object> stored) {
        Unmasked unmasked = unmaskWhatIsStored(type, incoming, stored);
        if (!unmasked.errors().isEmpty()) {
            throw new InvalidInputException(unmasked.errors());
        }
        return unmasked.parameters();
    }

    /**
     * Parameters with every mask that has a stored secret replaced by it, and the errors of the rest (a mask with
     * nothing stored, left as the mask; an empty secret), so that a caller can validate the secrets that are fine as
     * the plain text they stand for, not as the mask.
     */
    public record Unmasked(Map<String, Object> parameters, List<FieldError> errors) {}

    /**
     * The same as {@link #unmask}, answering what it could not unmask instead of throwing.
     *
     * @throws InvalidInputException when a value looks sealed: only the server seals
     */
    public Unmasked unmaskWhatIsStored(String type, Map<String, Object> incoming, Map<String, Object> stored) {
        if (incoming == null) {
            return new Unmasked(null, List.of());
        }
        List<FieldError> errors = new ArrayList<>();
        rejectSealed("parameters", incoming, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Map<String, Object> result = deepCopy(incoming);
        forEachSecret(type, result, (value, location, field, set) -> {
            if (Sealed.MASK.equals(value)) {
                if (at(stored, location) instanceof String previous && Sealed.isSealed(previous)) {
                    set.accept(secrets.reveal(previous));
                } else {
                    errors.add(new FieldError(field, "is the mask, but no secret is stored here; send the value"));
                }
            } else if (value instanceof String text && text.isEmpty()) {
                errors.add(new FieldError(field, Sealed.EMPTY_SECRET));
            }
        });
        return new Unmasked(result, List.copyOf(errors));
    }

    /** Validated plain parameters, ready to store: every secret sealed, a secret that did not change kept as it was. */
    public Map<String, Object> seal(String type, Map<String, Object> plain, Map<String, Object> stored) {
        if (plain == null) {
            return null;
        }
        Map<String, Object> result = deepCopy(plain);
        forEachSecret(type, result, (value, location, field, set) -> {
            if (value instanceof String text && !Sealed.isSealed(text)) {
                Object previous = at(stored, location);
                boolean unchanged = previous instanceof String sealed
                        && Sealed.isSealed(sealed)
                        && Objects.equals(secrets.reveal(sealed), text);
                set.accept(unchanged ? previous : secrets.seal(text));
            }
        });
        return result;
    }

    /** Stored parameters with their secrets in plain text: what a template gets when it runs. */
    public Map<String, Object> reveal(String type, Map<String, Object> stored) {
        if (stored == null) {
            return null;
        }
        Map<String, Object> result = deepCopy(stored);
        forEachSecret(type, result, (value, location, field, set) -> {
            if (value instanceof String text) {
                set.accept(secrets.reveal(text));
            }
        });
        return result;
    }

    /**
     * A run's result or error with every secret of its plain parameters replaced by the mask, in the keys of its maps
     * as well as their values: a template may echo what it was given (the SPI's default dry run does), a script may
     * name a detail of its result by a secret, and results are stored and shown.
     */
    public <T> T scrubbed(String type, Map<String, Object> plain, T value) {
        return scrubber(type, plain).scrubbed(value);
    }

    /**
     * {@link #scrubbed} for the many lines of one run's log, its secrets read once: a template (or a script) that
     * logs a secret it was given shows the mask in its place, a line of a secret of several lines too.
     */
    public SecretScrubber scrubber(String type, Map<String, Object> plain) {
        List<String> values = new ArrayList<>();
        if (plain != null) {
            forEachSecret(type, deepCopy(plain), (secret, location, field, set) -> {
                if (secret instanceof String text) {
                    values.add(text);
                }
            });
        }
        return values.isEmpty() ? SecretScrubber.NONE : SecretScrubber.of(values);
    }

    /** Whether a template has any secret parameter. */
    public boolean hasSecrets(String type) {
        return !paths(type).isEmpty();
    }

    /**
     * The one rule for where a template's secrets are, as field paths ({@code parameters.secret_headers.X-Api-Key},
     * {@code parameters.keys[0]}) of the secret strings in these parameters.
     */
    public List<String> secretFields(String type, Map<String, Object> parameters) {
        List<String> fields = new ArrayList<>();
        if (parameters != null) {
            forEachSecret(type, deepCopy(parameters), (value, location, field, set) -> {
                if (value instanceof String) {
                    fields.add(field);
                }
            });
        }
        return fields;
    }

    /**
     * Parameters as a person or a file may see them: every secret (sealed or not) is the mask, except that an empty
     * map or array of secrets stays empty, so an export can be imported back as it is.
     */
    public Map<String, Object> masked(String type, Map<String, Object> parameters) {
        if (parameters == null) {
            return null;
        }
        Map<String, Object> result = deepCopy(parameters);
        forEachSecret(type, result, (value, location, field, set) -> {
            if (value instanceof String) {
                set.accept(Sealed.MASK);
            }
        });
        return Sealed.maskedMap(result);
    }

    List<List<String>> paths(String type) {
        if (type == null) {
            return List.of();
        }
        return pathsByType.computeIfAbsent(
                type,
                t -> templates
                        .find(t)
                        .map(JobTemplate::descriptor)
                        .map(d -> SecretSchema.paths(json.readTree(d.parametersSchema())))
                        .orElse(List.of()));
    }

    /** Sees one string (or other leaf) at or under a secret path; {@code set} replaces it in the copy walked. */
    private interface Visitor {
        void at(Object value, List<Object> location, String field, Consumer<Object> set);
    }

    private void forEachSecret(String type, Map<String, Object> root, Visitor visitor) {
        for (List<String> path : paths(type)) {
            walk(root, path, 0, new ArrayList<>(), "parameters", visitor);
        }
    }

    @SuppressWarnings("unchecked")
    private static void walk(
            Object node, List<String> path, int depth, List<Object> location, String field, Visitor visitor) {
        String step = path.get(depth);
        boolean last = depth == path.size() - 1;
        if (node instanceof Map<?, ?> raw && !step.equals(ANY_ITEM)) {
            Map<String, Object> map = (Map<String, Object>) raw;
            List<String> keys = step.equals(ANY_KEY) ? new ArrayList<>(map.keySet()) : List.of(step);
            for (String key : keys) {
                if (map.containsKey(key)) {
                    List<Object> here = append(location, key);
                    String name = field + "." + key;
                    if (last) {
                        leaves(map.get(key), here, name, v -> map.put(key, v), visitor);
                    } else {
                        walk(map.get(key), path, depth + 1, here, name, visitor);
                    }
                }
            }
        } else if (node instanceof List<?> raw && step.equals(ANY_ITEM)) {
            List<Object> list = (List<Object>) raw;
            for (int i = 0; i < list.size(); i++) {
                int index = i;
                List<Object> here = append(location, index);
                String name = field + "[" + index + "]";
                if (last) {
                    leaves(list.get(index), here, name, v -> list.set(index, v), visitor);
                } else {
                    walk(list.get(index), path, depth + 1, here, name, visitor);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void leaves(
            Object value, List<Object> location, String field, Consumer<Object> set, Visitor visitor) {
        if (value instanceof Map<?, ?> raw) {
            Map<String, Object> map = (Map<String, Object>) raw;
            for (String key : new ArrayList<>(map.keySet())) {
                leaves(map.get(key), append(location, key), field + "." + key, v -> map.put(key, v), visitor);
            }
        } else if (value instanceof List<?> raw) {
            List<Object> list = (List<Object>) raw;
            for (int i = 0; i < list.size(); i++) {
                int index = i;
                leaves(
                        list.get(index),
                        append(location, index),
                        field + "[" + index + "]",
                        v -> list.set(index, v),
                        visitor);
            }
        } else if (value != null) {
            visitor.at(value, location, field, set);
        }
    }

    private static List<Object> append(List<Object> location, Object step) {
        List<Object> longer = new ArrayList<>(location);
        longer.add(step);
        return longer;
    }

    private static Object at(Object root, List<Object> location) {
        Object node = root;
        for (Object step : location) {
            if (step instanceof Integer index) {
                if (!(node instanceof List<?> list) || index >= list.size()) {
                    return null;
                }
                node = list.get(index);
            } else {
                if (!(node instanceof Map<?, ?> map)) {
                    return null;
                }
                node = map.get(step);
            }
        }
        return node;
    }

    private static void rejectSealed(String field, Object value, List<FieldError> errors) {
        if (Sealed.isSealed(value)) {
            errors.add(new FieldError(field, "must not start with " + Sealed.PREFIX));
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> rejectSealed(field + "." + k, v, errors));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                rejectSealed(field + "[" + i + "]", list.get(i), errors);
            }
        }
    }

    /** A copy whose maps and lists are all new, so a walk may replace values in it without touching the original. */
    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(deepCopy(v)));
            return (T) copy;
        }
        return value;
    }
}
