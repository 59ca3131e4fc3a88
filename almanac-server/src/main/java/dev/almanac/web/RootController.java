package dev.almanac.web;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** Until the admin UI lands, the front door leads to the API documentation. */
@Controller
@Hidden
class RootController {

    @GetMapping("/")
    String root() {
        return "redirect:/docs";
    }
}
