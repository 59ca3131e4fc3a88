package dev.almanac.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfiguration;

/** Runs a Spring test against PostgreSQL, in a schema of its own (see {@link PostgresTestDatabase}). */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag("postgres")
@ExtendWith(WithPostgres.WhenReachable.class)
@ContextConfiguration(initializers = WithPostgres.Initializer.class)
public @interface WithPostgres {

    /** Skips PostgreSQL tests when the database is not there, unless CI requires it. */
    class WhenReachable implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (PostgresTestDatabase.REQUIRED || PostgresTestDatabase.reachable()) {
                return ConditionEvaluationResult.enabled("PostgreSQL at " + PostgresTestDatabase.URL);
            }
            return ConditionEvaluationResult.disabled(
                    "PostgreSQL not reachable at " + PostgresTestDatabase.URL + ": PostgreSQL half skipped");
        }
    }

    /** Points the application's data source at the test schema. */
    class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            TestPropertyValues.of(
                            "almanac.db.url=" + PostgresTestDatabase.schemaUrl(),
                            "almanac.db.user=" + PostgresTestDatabase.USER,
                            "almanac.db.password=" + PostgresTestDatabase.PASSWORD)
                    .applyTo(context);
        }
    }
}
