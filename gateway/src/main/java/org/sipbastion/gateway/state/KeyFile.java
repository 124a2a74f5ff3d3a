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
import java.util.List;
import org.sipbastion.crypto.mac.MacKeyRing;

/**
 * The HMAC key of our Via branches and route tokens, kept in the state directory
 * ({@code hmac.key}: a key id letter, a space, 64 hex digits; after a rotation, a second such line
 * with the previous key). Made on the first start, read on
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

    /**
     * The ring kept in {@code file}: its first line is the signing key, an optional second line the
     * previous key, which still verifies (written by {@link #rotate}).
     */
    public static MacKeyRing read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII).stream().map(String::trim)
            .filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty() || lines.size() > 2) {
            throw new IOException(file + ": expected one or two lines, each a key id letter and " + 2 * KEY_BYTES
                + " hex digits (delete the file to make a new key: every dialog in progress loses its token)");
        }
        char id = id(file, lines.get(0));
        byte[] key = key(file, lines.get(0));
        if (lines.size() == 1) {
            return MacKeyRing.of(id, key);
        }
        char prevId = id(file, lines.get(1));
        if (prevId == id) {
            throw new IOException(file + ": both keys have the id " + id);
        }
        return MacKeyRing.of(id, key, prevId, key(file, lines.get(1)));
    }

    /**
     * Rotates the key in {@code dir}: a new random key signs from now on, the one that signed until
     * now becomes the previous key (it still verifies the branches and route tokens it made), and
     * the one before is forgotten. Written atomically, readable by its owner only. Returns the new
     * ring; a running gateway takes it with {@code bastion keys reload}.
     */
    public static MacKeyRing rotate(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            throw new IOException(file + " does not exist: a gateway started with --state-dir " + dir + " makes it");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII).stream().map(String::trim)
            .filter(l -> !l.isEmpty()).toList();
        read(file); // refuses a damaged file before anything is written
        String current = lines.get(0);
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        char next = MacKeyRing.nextId(current.charAt(0));
        write(dir, next + " " + HexFormat.of().formatHex(k) + "\n" + current + "\n");
        return read(file);
    }

    private static void write(Path dir, String text) throws IOException {
        Path tmp = dir.resolve(NAME + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static char id(Path file, String line) throws IOException {
        String[] p = line.split("\\s+");
        if (p.length != 2 || p[0].length() != 1 || !Character.isLowerCase(p[0].charAt(0))) {
            throw new IOException(file + ": expected a key id letter and " + 2 * KEY_BYTES + " hex digits on each line");
        }
        return p[0].charAt(0);
    }

    private static byte[] key(Path file, String line) throws IOException {
        String[] p = line.split("\\s+");
        if (p.length != 2 || p[1].length() != 2 * KEY_BYTES || !p[1].matches("[0-9a-fA-F]+")) {
            throw new IOException(file + ": expected a key id letter and " + 2 * KEY_BYTES
                + " hex digits on each line (delete the file to make a new key: every dialog in progress loses its token)");
        }
        return HexFormat.of().parseHex(p[1]);
    }
}
