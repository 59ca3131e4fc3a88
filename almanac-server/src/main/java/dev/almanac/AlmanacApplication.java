package dev.almanac;

import dev.almanac.common.SchemaVersions;
import dev.almanac.outbound.GuardedHttpClient;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class AlmanacApplication {

    public static void main(String[] args) {
        if (SchemaVersions.printIfAsked(args)) {
            return;
        }
        GuardedHttpClient.allowHostHeader();
        SpringApplication.run(AlmanacApplication.class, args);
    }
}
