package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.FieldError;
import dev.almanac.testing.TestTemplates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The parameter form generated from a template's JSON Schema, and the way back from the form to parameters. */
class ParameterFormTest {

    final TemplateRegistry registry = new TemplateRegistry(List.of(new TestTemplates.Forms()));
    final ParameterForm form = registry.form("test_form").orElseThrow();

    @Test
    void generatesAFieldOfTheRightKindForEverySchemaProperty() {
        Map<String, ParameterForm.Field> fields = byName(form.fields(Map.of(), Map.of(), false));
        assertThat(fields)
                .extractingFromEntries(e -> e.getKey() + "=" + e.getValue().kind())
                .containsExactly(
                        "p.table=text",
                        "p.max_rows=integer",
                        "p.ratio=number",
                        "p.vacuum=checkbox",
                        "p.mode=select",
                        "p.recipients=array",
                        "p.conditions=array",
                        "p.target=object",
                        "p.api_key=password",
                        "p.extra=map");
        ParameterForm.Field table = fields.get("p.table");
        assertThat(table.label()).isEqualTo("Table");
        assertThat(table.help()).isEqualTo("Which table to clean");
        assertThat(table.required()).isTrue();
        assertThat(table.maxLength()).isEqualTo(64);
        ParameterForm.Field maxRows = fields.get("p.max_rows");
        assertThat(maxRows.label()).isEqualTo("Max rows");
        assertThat(maxRows.value()).isEqualTo("1000");
        assertThat(maxRows.min()).isEqualTo("1");
        assertThat(maxRows.max()).isEqualTo("100000");
        assertThat(fields.get("p.mode").options())
                .extracting(ParameterForm.Option::value)
                .containsExactly("", "delete", "archive");
        assertThat(fields.get("p.target").children())
                .extracting(ParameterForm.Field::name)
                .containsExactly("p.target.host", "p.target.port");
        assertThat(fields.get("p.recipients").help())
                .as("the schema's description, then the bound as a sentence of its own")
                .isEqualTo("Who hears about it. At most 5 items.");
    }

    @Test
    void readsTheSubmittedFormBackIntoTypedParameters() {
        Map<String, List<String>> submitted = new LinkedHashMap<>();
        submitted.put("p.table", List.of(" sessions "));
        submitted.put("p.max_rows", List.of("500"));
        submitted.put("p.ratio", List.of("0.25"));
        submitted.put("_p.vacuum", List.of("on"));
        submitted.put("p.vacuum", List.of("true"));
        submitted.put("p.mode", List.of("archive"));
        submitted.put("p.recipients[0]", List.of("a@example.com"));
        submitted.put("p.recipients[2]", List.of("b@example.com"));
        submitted.put("p.recipients[3]", List.of(""));
        submitted.put("p.conditions[0].column", List.of("created_at"));
        submitted.put("p.conditions[0].op", List.of("<"));
        submitted.put("p.target.port", List.of("5432"));
        submitted.put("p.api_key", List.of("s3cret"));
        submitted.put("p.extra[0].key", List.of("k"));
        submitted.put("p.extra[0].value", List.of("v"));
        submitted.put("p.extra[1].key", List.of(""));

        ParameterForm.Parsed parsed = form.parse(submitted);

        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.parameters())
                .containsEntry("table", "sessions")
                .containsEntry("max_rows", 500L)
                .containsEntry("ratio", 0.25)
                .containsEntry("vacuum", true)
                .containsEntry("mode", "archive")
                .containsEntry("recipients", List.of("a@example.com", "b@example.com"))
                .containsEntry("conditions", List.of(Map.of("column", "created_at", "op", "<")))
                .containsEntry("target", Map.of("port", 5432L))
                .containsEntry("api_key", "s3cret")
                .containsEntry("extra", Map.of("k", "v"));
        assertThat(registry.validateParameters("test_form", parsed.parameters()))
                .isEmpty();
    }

    @Test
    void anUntickedCheckboxIsFalseOnlyWhenItWasOnTheForm() {
        assertThat(form.parse(Map.of("_p.vacuum", List.of("on"))).parameters()).containsEntry("vacuum", false);
        assertThat(form.parse(Map.of()).parameters()).doesNotContainKey("vacuum");
    }

    @Test
    void textThatIsNotANumberIsReportedAgainstItsField() {
        ParameterForm.Parsed parsed = form.parse(Map.of(
                "p.max_rows", List.of("12.5"),
                "p.ratio", List.of("half"),
                "p.extra[0].key", List.of("k"),
                "p.extra[1].key", List.of("k")));
        assertThat(parsed.errors())
                .containsExactlyInAnyOrder(
                        new FieldError("p.max_rows", "must be a whole number"),
                        new FieldError("p.ratio", "must be a number"),
                        new FieldError("p.extra[1].key", "'k' is given twice"));
        assertThat(parsed.parameters()).doesNotContainKeys("max_rows", "ratio");
    }

    @Test
    void storedParametersRoundTripThroughTheForm() {
        Map<String, Object> stored = Map.of(
                "table",
                "sessions",
                "max_rows",
                10L,
                "vacuum",
                false,
                "mode",
                "delete",
                "recipients",
                List.of("x@example.com"),
                "conditions",
                List.of(Map.of("column", "id", "op", ">", "value", "7")),
                "target",
                Map.of("host", "db", "port", 5432L),
                "extra",
                Map.of("a", "b"));
        assertThat(form.parse(form.toForm(stored)).parameters()).isEqualTo(stored);
    }

    @Test
    void theValidatorsFieldNamesPointAtTheFormFields() {
        Map<String, List<String>> submitted =
                Map.of("p.table", List.of("t"), "p.mode", List.of("delete"), "p.conditions[0].column", List.of("c"));
        List<FieldError> errors =
                registry.validateParameters("test_form", form.parse(submitted).parameters());
        assertThat(errors).extracting(FieldError::field).containsExactly("conditions[0].op");
        Map<String, String> shown = Map.of("p.conditions[0].op", "is required");
        ParameterForm.Field conditions =
                byName(form.fields(submitted, shown, false)).get("p.conditions");
        ParameterForm.Field op = conditions.children().get(0).children().get(1);
        assertThat(op.name()).isEqualTo("p.conditions[0].op");
        assertThat(op.error()).isEqualTo("is required");
    }

    @Test
    void secretsAreMaskedAndNeverEchoedWhenEditingAStoredJob() {
        Map<String, List<String>> stored = form.toForm(Map.of("table", "t", "mode", "delete", "api_key", "s3cret"));
        ParameterForm.Field key = byName(form.fields(stored, Map.of(), true)).get("p.api_key");
        assertThat(key.kind()).isEqualTo("password");
        assertThat(key.value()).isNull();
        assertThat(key.placeholder()).contains("unchanged");
        assertThat(form.secretNames(stored)).containsExactly("p.api_key");
    }

    @Test
    void aSecretMapListOrObjectIsShownInItsOwnFieldsMaskedAndKeptWhenLeftBlank() {
        ParameterForm nested = new TemplateRegistry(List.of(new TestTemplates.NestedSecrets()))
                .form("test_nested_secrets")
                .orElseThrow();
        Map<String, Object> plain = Map.of(
                "label", "x",
                "api_keys", List.of("key-one", "key-two"),
                "auth", Map.of("extra", new TreeMap<>(Map.of("X-One", "extra-one", "X-Two", "extra-two"))));
        Map<String, List<String>> shown = nested.toForm(plain);
        assertThat(shown)
                .containsEntry("p.api_keys[0]", List.of("••••"))
                .containsEntry("p.api_keys[1]", List.of("••••"))
                .containsEntry("p.auth.extra[0].key", List.of("X-One"))
                .containsEntry("p.auth.extra[1].value", List.of("••••"))
                .doesNotContainKey("p.api_keys")
                .doesNotContainKey("p.auth.extra");
        Map<String, ParameterForm.Field> fields = byName(nested.fields(shown, Map.of(), true));
        ParameterForm.Field key = fields.get("p.api_keys").children().get(0);
        assertThat(key.kind()).isEqualTo("password");
        assertThat(key.value()).isNull();

        // the browser sends the blank fields back: the first key and the row X-Two were removed, X-One left blank
        Map<String, List<String>> submitted = new LinkedHashMap<>();
        submitted.put("p.label", List.of("x"));
        submitted.put("p.api_keys[1]", List.of(""));
        submitted.put("p.auth.extra[0].key", List.of("X-One"));
        submitted.put("p.auth.extra[0].value", List.of(""));
        submitted.put("p.auth.extra[2].key", List.of("X-New"));
        submitted.put("p.auth.extra[2].value", List.of("extra-new"));
        assertThat(nested.parse(nested.withStoredSecrets(submitted, plain)).parameters())
                .isEqualTo(Map.of(
                        "label", "x",
                        "api_keys", List.of("key-two"),
                        "auth", Map.of("extra", Map.of("X-One", "extra-one", "X-New", "extra-new"))));
    }

    private static Map<String, ParameterForm.Field> byName(List<ParameterForm.Field> fields) {
        return fields.stream()
                .collect(Collectors.toMap(
                        ParameterForm.Field::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    @Test
    void aParameterThatNamesATargetOffersTheConfiguredTargets() {
        ParameterForm cleanup = new TemplateRegistry(
                        List.of(new dev.almanac.template.builtin.DatabaseCleanupTemplate()))
                .form("database_cleanup")
                .orElseThrow()
                .withSources(java.util.Map.of("targets", List.of("demo", "warehouse")));

        ParameterForm.Field target = cleanup.fields(java.util.Map.of(), java.util.Map.of(), false).stream()
                .filter(f -> f.name().equals("p.target"))
                .findFirst()
                .orElseThrow();

        org.assertj.core.api.Assertions.assertThat(target.kind()).isEqualTo("select");
        org.assertj.core.api.Assertions.assertThat(target.options())
                .extracting(ParameterForm.Option::value)
                .containsExactly("", "demo", "warehouse");
    }
}
