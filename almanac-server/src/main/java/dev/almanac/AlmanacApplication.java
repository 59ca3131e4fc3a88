package dev.almanac;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class AlmanacApplication {

    public static void main(String[] args) {
        SpringApplication.run(AlmanacApplication.class, args);
    }
}
