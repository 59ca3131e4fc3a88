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
}
