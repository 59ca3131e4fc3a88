package dev.almanac.web.internal;

import dev.almanac.common.StrictJsonReading;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A request body says what it means: read by {@link StrictJsonReading}'s rules, as the jobs files are. Template
 * parameters are read as they come and checked against their JSON Schema, which has its own rules.
 */
@Configuration(proxyBeanMethods = false)
class StrictJsonInput {

    @Bean
    JsonMapperBuilderCustomizer refuseConversionsAndFieldsGivenTwice() {
        return StrictJsonReading::refuseConversionsAndFieldsGivenTwice;
    }
}
