package dev.almanac.template.builtin;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import tools.jackson.databind.json.JsonMapper;

/** Writes rows one at a time as CSV, a JSON array or JSON Lines, so an export never holds more than one row. */
abstract class RowWriter implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final List<String> FORMATS = List.of("csv", "json", "jsonl");

    static String contentType(String format) {
        return switch (format) {
            case "json" -> "application/json";
            case "jsonl" -> "application/x-ndjson";
            default -> "text/csv";
        };
    }

    static RowWriter of(String format, OutputStream out, List<String> columns) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        return switch (format) {
            case "json" -> new Json(writer, columns, true);
            case "jsonl" -> new Json(writer, columns, false);
            default -> new Csv(writer, columns);
        };
    }

    abstract void write(List<Object> values) throws IOException;

    void write(ResultSet rs, int columns) throws IOException, SQLException {
        Object[] values = new Object[columns];
        for (int i = 0; i < columns; i++) {
            values[i] = plain(rs.getObject(i + 1));
        }
        write(java.util.Arrays.asList(values));
    }

    /** A JDBC value as JSON and CSV show it: times as ISO-8601 UTC, numbers as numbers, the rest as text. */
    static Object plain(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof BigDecimal
                || value instanceof Double
                || value instanceof Float) {
            return value;
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant().toString();
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant().toString();
        }
        if (value instanceof TemporalAccessor temporal) {
            return temporal.toString();
        }
        return String.valueOf(value);
    }

    private static final class Csv extends RowWriter {
        private final CSVPrinter printer;

        Csv(Writer writer, List<String> columns) throws IOException {
            this.printer = new CSVPrinter(
                    writer,
                    CSVFormat.DEFAULT
                            .builder()
                            .setHeader(columns.toArray(String[]::new))
                            .setRecordSeparator("\n")
                            .get());
        }

        @Override
        void write(List<Object> values) throws IOException {
            printer.printRecord(values);
        }

        @Override
        public void close() throws IOException {
            printer.close(true);
        }
    }

    private static final class Json extends RowWriter {
        private final Writer writer;
        private final List<String> columns;
        private final boolean array;
        private boolean first = true;

        Json(Writer writer, List<String> columns, boolean array) throws IOException {
            this.writer = writer;
            this.columns = columns;
            this.array = array;
            if (array) {
                writer.write("[");
            }
        }

        @Override
        void write(List<Object> values) throws IOException {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i), values.get(i));
            }
            if (array) {
                writer.write(first ? "\n" : ",\n");
            }
            first = false;
            writer.write(JSON.writeValueAsString(row));
            if (!array) {
                writer.write("\n");
            }
        }

        @Override
        public void close() throws IOException {
            if (array) {
                writer.write(first ? "]\n" : "\n]\n");
            }
            writer.close();
        }
    }

    @Override
    public abstract void close() throws IOException;
}
