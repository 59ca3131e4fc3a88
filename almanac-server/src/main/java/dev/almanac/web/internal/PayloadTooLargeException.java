package dev.almanac.web.internal;

import java.io.IOException;

/** A request body over the configured limit; raised while reading, before anything is parsed. */
public class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long limit) {
        super("the request body is larger than " + limit + " bytes");
    }
}
