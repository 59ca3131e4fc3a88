package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.ConflictException;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.TooManyRequestsException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletResponse;

/** The one mapping from a refusal to its status and Retry-After, which the API, the pages and the forms share. */
class RefusalStatusTests {

    @Test
    void eachRefusalAnswersItsStatus() {
        assertThat(RefusalStatus.of(new InvalidInputException("name", "is required")))
                .contains(new RefusalStatus(HttpStatus.BAD_REQUEST, null));
        assertThat(RefusalStatus.of(new TypeMismatchException("x", Integer.class)))
                .contains(new RefusalStatus(HttpStatus.BAD_REQUEST, null));
        assertThat(RefusalStatus.of(new ForbiddenException("not your role")))
                .contains(new RefusalStatus(HttpStatus.FORBIDDEN, null));
        assertThat(RefusalStatus.of(new NotFoundException("no job")))
                .contains(new RefusalStatus(HttpStatus.NOT_FOUND, null));
        assertThat(RefusalStatus.of(new ConflictException("version", "stale")))
                .contains(new RefusalStatus(HttpStatus.CONFLICT, null));
    }

    @Test
    void aLimitAnswers429WithTheWholeSecondsToWaitRoundedUp() {
        RefusalStatus limited = RefusalStatus.of(new TooManyRequestsException("at most 10", Duration.ofMillis(2001)))
                .orElseThrow();

        assertThat(limited).isEqualTo(new RefusalStatus(HttpStatus.TOO_MANY_REQUESTS, 3L));
        assertThat(limited.headers().getFirst("Retry-After")).isEqualTo("3");
    }

    @Test
    void aRequestTheDatabaseStoppedForAnotherHoldingTheSameRowsIsAConflictToTryAgain() {
        Exception refusal = RefusalStatus.asRefusal(new CannotAcquireLockException("deadlock detected"));

        assertThat(RefusalStatus.of(refusal)).contains(new RefusalStatus(HttpStatus.CONFLICT, null));
        assertThat(refusal.getMessage()).contains("try again").doesNotContain("deadlock detected");
    }

    @Test
    void aFailureIsNoRefusal() {
        assertThat(RefusalStatus.of(new IllegalStateException("bug"))).isEmpty();
    }

    @Test
    void aFormShownAgainAnswersTheRefusalsStatusAndRetryAfterOr400() {
        MockHttpServletResponse limited = new MockHttpServletResponse();
        Refusals.status(limited, new TooManyRequestsException("at most 10", Duration.ofHours(1)));
        assertThat(limited.getStatus()).isEqualTo(429);
        assertThat(limited.getHeader("Retry-After")).isEqualTo("3600");

        MockHttpServletResponse taken = new MockHttpServletResponse();
        Refusals.status(taken, new ConflictException("name", "taken"));
        assertThat(taken.getStatus()).isEqualTo(409);
        assertThat(taken.getHeader("Retry-After")).isNull();

        MockHttpServletResponse other = new MockHttpServletResponse();
        Refusals.status(other, new IllegalArgumentException("unreadable"));
        assertThat(other.getStatus()).isEqualTo(400);
    }
}
