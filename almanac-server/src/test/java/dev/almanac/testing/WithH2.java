package dev.almanac.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfiguration;

/** Runs a Spring test against an in-memory H2 in the same mode as the embedded default. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ContextConfiguration(initializers = WithH2.Initializer.class)
public @interface WithH2 {

    /** Points the application's data source at a private in-memory H2 database. */
    class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            TestPropertyValues.of(
                            "almanac.db.url=jdbc:h2:mem:almanac-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                                    + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                            "almanac.db.user=sa",
                            "almanac.db.password=")
                    .applyTo(context);
        }
    }
}
