package dev.almanac.jobfile;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.api.lowlevel.Present;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * A jobs file's YAML aliases ({@code *name}) written out as the values their anchors ({@code &name}) name, before
 * Jackson reads the file: its YAML parser reads an alias as the anchor's name ({@code description: *d} as "d"), and its
 * anchor-replaying parser mangles any plain value {@code <<} and bounds no expansion. The expansion is held to
 * {@link #MAX_ADDED_VALUES} values and {@link #MAX_ADDED_CHARACTERS} characters, against alias bombs; a file without
 * aliases is read as it is.
 */
final class YamlAliases {

    /** The most values (scalars, mappings, sequences and their ends) the aliases of one file may add. */
    static final int MAX_ADDED_VALUES = 100_000;

    /** The most characters of scalars the aliases of one file may add: as much as a file may hold through the API. */
    static final long MAX_ADDED_CHARACTERS = 1024 * 1024;

    private static final LoadSettings LOAD =
            LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).build();

    // block style throughout: a value aliased into a flow collection may not be writable plain there, and a plain
    // value forced into quotes would read back as a string
    private static final DumpSettings DUMP = DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.BLOCK)
            .setSplitLines(false)
            .setWidth(Integer.MAX_VALUE)
            .build();

    private YamlAliases() {}

    /**
     * The text with every alias replaced by its anchor's value and the anchors dropped; the text itself when it has no
     * alias or is not YAML (the reader then says why).
     *
     * @throws InvalidInputException naming the path of an alias that names no anchor before it, names the value it is
     *     in, is a merge key's value ({@code <<: *name}), or makes the file larger than the limits
     */
    static String expand(String text) {
        if (text.indexOf('*') < 0) {
            return text;
        }
        List<Event> expanded;
        try {
            expanded = new Expansion().of(text);
        } catch (YamlEngineException | TooDeep unreadable) {
            // the reader refuses the same text, saying why
            return text;
        }
        if (expanded == null) {
            return text;
        }
        try {
            return new Present(DUMP).emitToString(expanded.iterator());
        } catch (YamlEngineException unwritable) {
            throw refused("", "the file's aliases could not be written out: " + unwritable.getMessage());
        }
    }

    private static InvalidInputException refused(String path, String message) {
        return new InvalidInputException(List.of(new FieldError(path, message)));
    }

    /** Nested deeper than a jobs file may be: left to the reader, which refuses it. */
    private static final class TooDeep extends RuntimeException {
        TooDeep() {
            super(null, null, false, false);
        }
    }

    /** One pass over the events, keeping each anchor's value (already expanded) as the events written for it. */
    private static final class Expansion {

        private final List<Event> written = new ArrayList<>();
        private final Map<String, List<Event>> anchors = new HashMap<>();
        private final Map<String, Long> anchorCharacters = new HashMap<>();
        private final Deque<Open> open = new ArrayDeque<>();
        private boolean aliased;
        private long addedValues;
        private long addedCharacters;

        /** A mapping or sequence not yet ended: where its events start, its anchor, where in it the next value is. */
        private static final class Open {
            final int start;
            final String anchor;
            final boolean mapping;
            boolean atKey = true;
            String key;
            boolean mergeKey;
            int index = -1;

            Open(int start, String anchor, boolean mapping) {
                this.start = start;
                this.anchor = anchor;
                this.mapping = mapping;
            }
        }

        /** The events with every alias written out; null when there was none. */
        List<Event> of(String text) {
            for (Event event : new Parse(LOAD).parseString(text)) {
                switch (event.getEventId()) {
                    case Alias -> alias((AliasEvent) event);
                    case Scalar -> scalar((ScalarEvent) event);
                    case MappingStart, SequenceStart -> start((NodeEvent) event);
                    case MappingEnd, SequenceEnd -> end(event);
                    case DocumentEnd -> {
                        // an anchor names a value of its own document only
                        anchors.clear();
                        written.add(event);
                    }
                    default -> written.add(event);
                }
            }
            return aliased ? written : null;
        }

        private void alias(AliasEvent alias) {
            aliased = true;
            String name = alias.getAlias().getValue();
            String path = beforeValue();
            if (inMergeKey()) {
                throw refused(
                        path,
                        "merge keys (<<: *" + name + ") are not supported: alias the whole mapping, or write"
                                + " its keys out");
            }
            if (open.stream().anyMatch(o -> name.equals(o.anchor))) {
                throw refused(path, "*" + name + " names the value it is in");
            }
            List<Event> value = anchors.get(name);
            if (value == null) {
                throw refused(path, "*" + name + " names no anchor (&" + name + ") written before it");
            }
            addedValues += value.size();
            addedCharacters += anchorCharacters.get(name);
            if (addedValues > MAX_ADDED_VALUES || addedCharacters > MAX_ADDED_CHARACTERS) {
                throw refused(
                        path,
                        "the file's aliases would add more than " + MAX_ADDED_VALUES + " values or "
                                + MAX_ADDED_CHARACTERS / (1024 * 1024) + " MB: alias less, or split the file");
            }
            written.addAll(value);
            afterValue(value.size() == 1 && value.get(0) instanceof ScalarEvent scalar ? scalar : null);
        }

        /** Whether the next value is a merge key's ({@code <<: *a}), or an item of one's list ({@code <<: [*a]}). */
        private boolean inMergeKey() {
            Open current = open.peek();
            if (current != null && !current.mapping && open.size() > 1) {
                current = List.copyOf(open).get(1);
            }
            return current != null && current.mapping && !current.atKey && current.mergeKey;
        }

        private void scalar(ScalarEvent scalar) {
            beforeValue();
            ScalarEvent plain = new ScalarEvent(
                    Optional.empty(),
                    scalar.getTag(),
                    scalar.getImplicit(),
                    scalar.getValue(),
                    scalar.getScalarStyle());
            written.add(plain);
            scalar.getAnchor().ifPresent(anchor -> {
                anchors.put(anchor.getValue(), List.of(plain));
                anchorCharacters.put(anchor.getValue(), (long) scalar.getValue().length());
            });
            afterValue(scalar);
        }

        private void start(NodeEvent event) {
            if (open.size() > JobsFile.MAX_DEPTH) {
                throw new TooDeep();
            }
            beforeValue();
            String anchor = event.getAnchor().map(a -> a.getValue()).orElse(null);
            open.push(new Open(written.size(), anchor, event instanceof MappingStartEvent));
            written.add(
                    event instanceof MappingStartEvent mapping
                            ? new MappingStartEvent(
                                    Optional.empty(), mapping.getTag(), mapping.isImplicit(), FlowStyle.BLOCK)
                            : new SequenceStartEvent(
                                    Optional.empty(),
                                    ((SequenceStartEvent) event).getTag(),
                                    ((SequenceStartEvent) event).isImplicit(),
                                    FlowStyle.BLOCK));
        }

        private void end(Event event) {
            written.add(event);
            Open ended = open.pop();
            if (ended.anchor != null) {
                List<Event> value = List.copyOf(written.subList(ended.start, written.size()));
                long characters = value.stream()
                        .filter(e -> e instanceof ScalarEvent)
                        .mapToLong(e -> ((ScalarEvent) e).getValue().length())
                        .sum();
                anchors.put(ended.anchor, value);
                anchorCharacters.put(ended.anchor, characters);
            }
            afterValue(null);
        }

        /** Moves into the next value of the open mapping or sequence; answers that value's path, as errors name it. */
        private String beforeValue() {
            Open current = open.peek();
            if (current != null && !current.mapping) {
                current.index++;
            }
            return path();
        }

        /** A mapping's key was read (its value comes next), or its value (a key comes next). */
        private void afterValue(ScalarEvent scalar) {
            Open current = open.peek();
            if (current == null || !current.mapping) {
                return;
            }
            if (current.atKey) {
                current.key = scalar == null ? "?" : scalar.getValue();
                current.mergeKey = scalar != null
                        && scalar.getScalarStyle() == ScalarStyle.PLAIN
                        && scalar.getValue().equals("<<");
            }
            current.atKey = !current.atKey;
        }

        private String path() {
            StringBuilder path = new StringBuilder();
            List<Open> outermostFirst = new ArrayList<>(open);
            Collections.reverse(outermostFirst);
            for (Open o : outermostFirst) {
                if (o.mapping) {
                    if (o.key != null && !o.atKey) {
                        path.append(path.isEmpty() ? "" : ".").append(o.key);
                    }
                } else if (o.index >= 0) {
                    path.append('[').append(o.index).append(']');
                }
            }
            return path.toString();
        }
    }
}
