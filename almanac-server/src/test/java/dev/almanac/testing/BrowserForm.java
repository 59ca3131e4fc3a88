package dev.almanac.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.util.HtmlUtils;

/**
 * What a browser submits for a form of a page when the reader changes nothing: its named inputs (ticked boxes
 * only, no buttons), text areas and the chosen options of its selects (a single select's first when none is chosen,
 * a multiple select's none), in page order. For posting a page back unchanged in a MockMvc test.
 */
public final class BrowserForm {

    private static final Pattern CONTROL = Pattern.compile(
            "<(input|textarea|select)\\b([^>]*)>(?:(.*?)</\\1>)?", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern OPTION = Pattern.compile("<option\\b([^>]*)>", Pattern.CASE_INSENSITIVE);

    private BrowserForm() {}

    /** The fields of the form with this id in the page, as the browser would post them. */
    public static MultiValueMap<String, String> of(String html, String formId) {
        int open = html.indexOf("id=\"" + formId + "\"");
        if (open < 0) {
            throw new IllegalArgumentException("no form with id " + formId + " in the page");
        }
        int start = html.lastIndexOf("<form", open);
        int end = html.indexOf("</form>", open);
        String form = html.substring(start, end);
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        Matcher control = CONTROL.matcher(form);
        while (control.find()) {
            String tag = control.group(1).toLowerCase();
            String attributes = control.group(2);
            String name = attribute(attributes, "name");
            if (name == null || has(attributes, "disabled")) {
                continue;
            }
            switch (tag) {
                case "textarea" -> fields.add(name, unescape(control.group(3)));
                case "select" -> {
                    String first = null;
                    List<String> chosen = new ArrayList<>();
                    Matcher option = OPTION.matcher(control.group(3) == null ? "" : control.group(3));
                    while (option.find()) {
                        String value = attribute(option.group(1), "value");
                        first = first == null ? value : first;
                        if (has(option.group(1), "selected")) {
                            chosen.add(value);
                        }
                    }
                    if (has(attributes, "multiple")) {
                        // every chosen option, and nothing at all when none is chosen
                        chosen.forEach(value -> fields.add(name, value));
                    } else if (!chosen.isEmpty()) {
                        fields.add(name, chosen.get(chosen.size() - 1));
                    } else if (first != null) {
                        fields.add(name, first);
                    }
                }
                default -> {
                    String type = attribute(attributes, "type");
                    type = type == null ? "text" : type.toLowerCase();
                    String value = attribute(attributes, "value");
                    switch (type) {
                        case "submit", "button", "image", "reset" -> {}
                        case "checkbox", "radio" -> {
                            if (has(attributes, "checked")) {
                                fields.add(name, value == null ? "on" : value);
                            }
                        }
                        default -> fields.add(name, value == null ? "" : value);
                    }
                }
            }
        }
        return fields;
    }

    private static String attribute(String attributes, String name) {
        Matcher value = Pattern.compile("(?:^|\\s)" + name + "=\"([^\"]*)\"").matcher(attributes);
        return value.find() ? unescape(value.group(1)) : null;
    }

    private static boolean has(String attributes, String name) {
        return Pattern.compile("(?:^|\\s)" + name + "(?:=|\\s|/|$)")
                .matcher(attributes)
                .find();
    }

    private static String unescape(String text) {
        return text == null ? "" : HtmlUtils.htmlUnescape(text);
    }
}
