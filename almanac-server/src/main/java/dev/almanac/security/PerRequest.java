package dev.almanac.security;

import java.util.function.Supplier;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * A read kept for the rest of one web request, in the request's attributes: a page asks who the reader is and what
 * they may do in its controller, its layout and once per row, and the database answers once. Outside a web request
 * (the engine, start-up work) every call reads.
 */
public final class PerRequest {

    private PerRequest() {}

    /** {@code read} once per web request under {@code key}; every time outside one. */
    @SuppressWarnings("unchecked")
    public static <T> T once(String key, Supplier<T> read) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request == null) {
            return read.get();
        }
        Object kept = request.getAttribute(key, RequestAttributes.SCOPE_REQUEST);
        if (kept == null) {
            kept = read.get();
            request.setAttribute(key, kept, RequestAttributes.SCOPE_REQUEST);
        }
        return (T) kept;
    }

    /** Drops what this request kept under {@code key}: the request has just changed it. */
    public static void forget(String key) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null) {
            request.removeAttribute(key, RequestAttributes.SCOPE_REQUEST);
        }
    }
}
