package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Types;
import org.junit.jupiter.api.Test;

/** A condition's value read as its column's type: what fits is converted, what does not is refused naming the field. */
class ConditionValuesTest {

    private static final String FIELD = "parameters.conditions[0].value";

    @Test
    void aBooleanColumnTakesTrueOrFalseAndRefusesWhatWouldSilentlyReadAsFalse() {
        assertThat(Conditions.convert(true, Types.BOOLEAN, "archived", FIELD)).isEqualTo(true);
        assertThat(Conditions.convert("FALSE", Types.BIT, "archived", FIELD)).isEqualTo(false);
        for (Object value : new Object[] {1, "yes", "t"}) {
            assertThatThrownBy(() -> Conditions.convert(value, Types.BOOLEAN, "archived", FIELD))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(FIELD + ": '" + value + "' is not true or false for column archived");
        }
    }

    @Test
    void aTimeWithoutAnOffsetIsToldItNeedsOneAndAnOffsetOrADateIsTaken() {
        assertThat(Conditions.convert("2026-01-01T00:00:00+01:00", Types.TIMESTAMP, "created_at", FIELD))
                .hasToString("2026-01-01T00:00+01:00");
        assertThat(Conditions.convert("2026-01-01", Types.TIMESTAMP, "created_at", FIELD))
                .hasToString("2026-01-01T00:00Z");
        assertThatThrownBy(() -> Conditions.convert("2026-01-01T00:00:00", Types.TIMESTAMP, "created_at", FIELD))
                .hasMessage(FIELD + ": '2026-01-01T00:00:00' is a time without an offset (which time zone?); add one,"
                        + " as in '2026-01-01T00:00:00Z' for UTC, for column created_at");
        assertThatThrownBy(() -> Conditions.convert("yesterday", Types.TIMESTAMP, "created_at", FIELD))
                .hasMessage(FIELD + ": 'yesterday' is not an ISO-8601 date or timestamp for column created_at");
    }
}
