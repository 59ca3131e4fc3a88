package dev.almanac.web.internal;

import java.io.IOException;

/** A request body over a limit; raised while reading, before anything is parsed. */
public class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long limit) {
        this("the request body is larger than " + limit + " bytes");
    }

    /** A body over a limit the application does not set (the servlet container's), said in {@code message}. */
    public PayloadTooLargeException(String message) {
        super(message);
    }
}
