package dev.almanac.security;

import dev.almanac.common.Sealed;
import dev.almanac.security.internal.SecurityProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value. A sealed value reads
 * {@code enc:v1:<key id>:<base64(IV ‖ ciphertext ‖ tag)>}, where the key id is the first 8 hex digits of the
 * key's SHA-256, so values sealed with an earlier key stay readable while {@code previous-secret-keys} lists it.
 *
 * <p>The key is {@code ALMANAC_SECRET_KEY} (32 bytes, base64). Without one, a random key is generated once into
 * {@code <data-dir>/secret.key} (owner-only permissions); a cluster must configure the same key on every node.
 */
@Component
public class Secrets {

    private static final Logger log = LoggerFactory.getLogger(Secrets.class);
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final Key current;
    private final Map<String, Key> keys = new LinkedHashMap<>();

    private record Key(String id, SecretKeySpec spec) {}

    Secrets(SecurityProperties properties, @Value("${almanac.data-dir:./data}") String dataDir) {
        String configured = properties.secretKey();
        byte[] key = configured == null || configured.isBlank()
                ? generatedKey(Path.of(dataDir).resolve("secret.key"))
                : decodeKey(configured, "almanac.security.secret-key");
        this.current = key(key);
        keys.put(current.id(), current);
        String previous = properties.previousSecretKeys();
        if (previous != null && !previous.isBlank()) {
            for (String text : previous.split(",")) {
                if (!text.isBlank()) {
                    Key old = key(decodeKey(text.strip(), "almanac.security.previous-secret-keys"));
                    keys.putIfAbsent(old.id(), old);
                }
            }
        }
    }

    /** Seals a secret with the current key; null stays null and a sealed value is returned as it is. */
    public String seal(String plain) {
        if (plain == null || Sealed.isSealed(plain)) {
            return plain;
        }
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.ENCRYPT_MODE, current.spec(), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(Sealed.PREFIX.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(sealed, 0, out, iv.length, sealed.length);
            return Sealed.PREFIX + current.id() + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        }
    }

    /** Seals a secret with a label a person may see instead of the mask (see {@link Sealed#shown}). */
    public String seal(String plain, String label) {
        return seal(plain) + Sealed.LABEL + label;
    }

    /** The same secret sealed again with the current key, its label kept. */
    public String reseal(String stored) {
        int label = stored.indexOf(Sealed.LABEL);
        String sealed = seal(reveal(stored));
        return label < 0 ? sealed : sealed + stored.substring(label);
    }

    /**
     * The plain text of a sealed value; anything not sealed passes through unchanged (so configuration may hold a
     * password either way).
     *
     * @throws IllegalStateException when the value was sealed with a key that is not configured, or was altered
     */
    public String reveal(String stored) {
        if (!Sealed.isSealed(stored)) {
            return stored;
        }
        int label = stored.indexOf(Sealed.LABEL);
        String rest = stored.substring(Sealed.PREFIX.length(), label < 0 ? stored.length() : label);
        int colon = rest.indexOf(':');
        Key key = colon < 0 ? null : keys.get(rest.substring(0, colon));
        if (key == null) {
            throw new IllegalStateException("a secret was sealed with key "
                    + (colon < 0 ? "?" : rest.substring(0, colon))
                    + ", which is not configured (add it to ALMANAC_PREVIOUS_SECRET_KEYS)");
        }
        try {
            byte[] in = Base64.getDecoder().decode(rest.substring(colon + 1));
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.DECRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            cipher.updateAAD(Sealed.PREFIX.getBytes(StandardCharsets.US_ASCII));
            return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a sealed secret cannot be read: it was altered or is not one", e);
        }
    }

    /** The mask for a sealed value, the value itself otherwise: what a response or a log may show. */
    public static Object mask(Object value) {
        return Sealed.masked(value);
    }

    /** Whether a sealed value was sealed with an older key than the current one. */
    public boolean sealedWithOldKey(String stored) {
        return Sealed.isSealed(stored) && !stored.startsWith(Sealed.PREFIX + current.id() + ":");
    }

    /** A fresh random key, base64, for {@code ALMANAC_SECRET_KEY}. */
    public static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public String currentKeyId() {
        return current.id();
    }

    private static Key key(byte[] bytes) {
        try {
            String id = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 8);
            return new Key(id, new SecretKeySpec(bytes, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] decodeKey(String base64, String property) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    property + " must be base64 (32 random bytes, e.g. openssl rand -base64 32)");
        }
        if (key.length != 32) {
            throw new IllegalStateException(
                    property + " must be 32 bytes (AES-256), base64-encoded; it has " + key.length + " bytes");
        }
        return key;
    }

    private static byte[] generatedKey(Path file) {
        try {
            if (Files.exists(file)) {
                return decodeKey(Files.readString(file), file.toString());
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            String key = newKey();
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "secret", ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the data directory's own permissions protect it
            }
            Files.writeString(temp, key + "\n");
            try {
                Files.move(temp, file);
            } catch (java.nio.file.FileAlreadyExistsException anotherProcessWasFirst) {
                Files.deleteIfExists(temp);
                return decodeKey(Files.readString(file), file.toString());
            }
            log.warn(
                    "No ALMANAC_SECRET_KEY is configured: generated one into {}. Back it up with the database; every"
                            + " node of a cluster needs the same key.",
                    file.toAbsolutePath());
            return decodeKey(key, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key " + file, e);
        }
    }

    /** Every string in a JSON-like value revealed (maps and lists walked). */
    Object revealAll(Object value) {
        if (value instanceof String text) {
            return reveal(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), revealAll(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(revealAll(v)));
            return copy;
        }
        return value;
    }
}
