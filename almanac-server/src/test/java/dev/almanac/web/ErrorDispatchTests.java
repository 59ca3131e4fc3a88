package dev.almanac.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import jakarta.servlet.RequestDispatcher;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.http.MediaType;

/**
 * What the container's error dispatch answers for an exception thrown before Spring MVC (in a filter): the refusal it
 * stands for, as the handlers answer it, never a 500 for what is no failure of the server.
 */
@WithH2
class ErrorDispatchTests extends AlmanacIntegrationTest {

    @Test
    void aFiltersWriteThatLostToAnotherHoldingTheSameRowsIsAConflictToTryAgain() throws Exception {
        mvc.perform(get("/error")
                        .accept(MediaType.APPLICATION_JSON)
                        .requestAttr(RequestDispatcher.ERROR_EXCEPTION, new CannotAcquireLockException("deadlock"))
                        .requestAttr(RequestDispatcher.ERROR_STATUS_CODE, 500))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail", Matchers.containsString("try again")));
    }

    @Test
    void theErrorAddressOpenedDirectlyIsNotFoundNotAServerError() throws Exception {
        mvc.perform(get("/error").accept(MediaType.APPLICATION_JSON))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.status").value(404))
                .andExpect(jsonPath("$.detail").value("there is nothing at this address"));
        mvc.perform(get("/error").accept(MediaType.TEXT_HTML))
                .andExpect(status().isNotFound())
                .andExpect(content().string(Matchers.containsString("there is nothing at this address")))
                .andExpect(content().string(Matchers.not(Matchers.containsString("Something went wrong"))));
        // an exception that reached the dispatch without a status still is the server's failure
        mvc.perform(get("/error")
                        .accept(MediaType.APPLICATION_JSON)
                        .requestAttr(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("broken")))
                .andExpect(status().isInternalServerError());
    }
}
