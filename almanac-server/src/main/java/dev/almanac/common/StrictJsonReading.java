package dev.almanac.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.MapperBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * How Almanac reads what a client sends: a value of the wrong type is refused naming its field, not converted ({@code
 * "name": 12345} stored as the name "12345", {@code "enabled": 2} as true, {@code "priority": 7.5} as 7, {@code
 * "from": 12345} as a time in 1970), and a field given twice is refused, not decided by the last one. One set of rules
 * for the API's request bodies and the jobs files (the import body, {@code almanac.jobs-file}).
 */
public final class StrictJsonReading {

    /**
     * The times a request or a jobs file may carry, each read only from text: the reader's own time types take a
     * number as seconds (or days) since 1970 and do not ask the coercion rules below.
     */
    private static final Set<Class<?>> TIMES = Set.of(
            Instant.class,
            OffsetDateTime.class,
            ZonedDateTime.class,
            LocalDateTime.class,
            LocalDate.class,
            LocalTime.class,
            OffsetTime.class);

    private StrictJsonReading() {}

    /** The builder, made to refuse conversions and fields given twice. */
    public static <B extends MapperBuilder<?, B>> B refuseConversionsAndFieldsGivenTwice(B builder) {
        return builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .addModule(new SimpleModule("times-only-as-text").setDeserializerModifier(new TimesOnlyAsText()))
                .withCoercionConfig(
                        LogicalType.Textual,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Boolean,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Integer,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Float,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.DateTime,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail));
    }

    /** Wraps the reader of every time type in {@link #TIMES} so that it reads only a string (or null). */
    private static final class TimesOnlyAsText extends ValueDeserializerModifier {

        @Override
        public ValueDeserializer<?> modifyDeserializer(
                DeserializationConfig config, BeanDescription.Supplier description, ValueDeserializer<?> reader) {
            return TIMES.contains(reader.handledType()) ? new TextOnly(reader) : reader;
        }
    }

    /** A time's reader that refuses a number, an array or an object as "must be a date and time such as …". */
    private static final class TextOnly extends DelegatingDeserializer {

        private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("[+-]?\\d+(\\.\\d*)?");

        TextOnly(ValueDeserializer<?> reader) {
            super(reader);
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> reader) {
            return new TextOnly(reader);
        }

        @Override
        public Class<?> handledType() {
            return _delegatee.handledType();
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() != JsonToken.VALUE_STRING && p.currentToken() != JsonToken.VALUE_NULL) {
                return ctxt.handleUnexpectedToken(_delegatee.handledType(), p);
            }
            if (p.currentToken() == JsonToken.VALUE_STRING
                    && NUMBER.matcher(p.getString().strip()).matches()) {
                // Jackson reads a string of digits as seconds since 1970, as it reads a number
                return ctxt.handleWeirdStringValue(
                        _delegatee.handledType(), p.getString(), "a number is not a date and time");
            }
            return super.deserialize(p, ctxt);
        }
    }
}
