package dev.almanac.jobfile;

import java.io.CharArrayReader;
import java.io.InputStream;
import java.io.Reader;
import java.util.Set;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.io.IOContext;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLFactoryBuilder;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * A YAML factory whose parsers read every plain null of YAML 1.2's core schema ({@code ~}, {@code null}, {@code Null},
 * {@code NULL}, nothing) as null: Jackson's parser resolves plain values by the JSON schema, where only {@code null}
 * is, and stored {@code description: ~} as "~". A quoted {@code '~'} stays a string.
 */
final class YamlNulls extends YAMLFactory {

    private static final long serialVersionUID = 1L;

    private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

    YamlNulls(YAMLFactoryBuilder settings) {
        super(settings);
    }

    @Override
    protected YAMLParser _createParser(ObjectReadContext read, IOContext io, Reader reader) {
        return new Parser(read, io, this, reader);
    }

    @Override
    protected YAMLParser _createParser(
            ObjectReadContext read, IOContext io, char[] text, int offset, int length, boolean recyclable) {
        return new Parser(read, io, this, new CharArrayReader(text, offset, length));
    }

    @Override
    protected YAMLParser _createParser(ObjectReadContext read, IOContext io, byte[] data, int offset, int length) {
        return new Parser(read, io, this, _createReader(data, offset, length, null, io));
    }

    @Override
    protected YAMLParser _createParser(ObjectReadContext read, IOContext io, InputStream in) {
        return new Parser(read, io, this, _createReader(in, null, io));
    }

    private static final class Parser extends YAMLParser {

        Parser(ObjectReadContext read, IOContext io, YamlNulls factory, Reader reader) {
            super(
                    read,
                    io,
                    factory._getBufferRecycler(),
                    read.getStreamReadFeatures(factory.getStreamReadFeatures()),
                    read.getFormatReadFeatures(factory.getFormatReadFeatures()),
                    factory._loadSettings,
                    reader);
        }

        @Override
        protected JsonToken _decodeScalar(ScalarEvent scalar) {
            JsonToken token = super._decodeScalar(scalar);
            boolean untagged = scalar.getTag().isEmpty();
            return token == JsonToken.VALUE_STRING && scalar.isPlain() && untagged && NULLS.contains(scalar.getValue())
                    ? JsonToken.VALUE_NULL
                    : token;
        }
    }
}
