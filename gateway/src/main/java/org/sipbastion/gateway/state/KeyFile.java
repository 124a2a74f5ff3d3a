package org.sipbastion.gateway.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.sipbastion.crypto.mac.MacKeyRing;

/**
 * The HMAC key of our Via branches and route tokens, kept in the state directory
 * ({@code hmac.key}: a key id letter, a space, 64 hex digits). Made on the first start, read on
 * every later one, so a restarted gateway still recognises its own branches and tokens; copied to
 * the HA peer, it lets the peer route and vouch for the same dialogs. Readable by its owner only.
 */
public final class KeyFile {
    public static final String NAME = "hmac.key";
    private static final int KEY_BYTES = 32;

    private KeyFile() {
    }

    /** The ring from {@code dir}/hmac.key, made with a fresh random key when there is none. */
    public static MacKeyRing loadOrCreate(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            byte[] k = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(k);
            Files.createDirectories(dir);
            Path tmp = dir.resolve(NAME + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("cannot create " + tmp + ": it appeared meanwhile", e);
            }
            Files.writeString(tmp, "a " + HexFormat.of().formatHex(k) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return read(file);
    }

    static MacKeyRing read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        String[] p = text.split("\\s+");
        if (p.length != 2 || p[0].length() != 1 || !Character.isLowerCase(p[0].charAt(0)) || p[1].length() != 2 * KEY_BYTES
            || !p[1].matches("[0-9a-fA-F]+")) {
            throw new IOException(file + ": expected a key id letter and " + 2 * KEY_BYTES
                + " hex digits on one line (delete the file to make a new key: every dialog in progress loses its token)");
        }
        return MacKeyRing.of(p[0].charAt(0), HexFormat.of().parseHex(p[1]));
    }
}
