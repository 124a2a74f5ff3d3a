package org.sipbastion.gateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.mac.MacKeyRing;

class KeyFileTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartMakesTheKeyAndEveryLaterStartReadsTheSame() throws IOException {
        MacKeyRing first = KeyFile.loadOrCreate(dir);
        MacKeyRing again = KeyFile.loadOrCreate(dir);
        assertEquals(first, again);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(dir.resolve(KeyFile.NAME)));
        assertNotEquals(first, KeyFile.loadOrCreate(dir.resolve("other")), "another directory, another key");
    }

    @Test
    void aDamagedKeyFileStopsTheStartWithWhatToDo() throws IOException {
        Files.writeString(dir.resolve(KeyFile.NAME), "a 1234\n");
        IOException e = assertThrows(IOException.class, () -> KeyFile.loadOrCreate(dir));
        assertTrue(e.getMessage().contains("64 hex digits"), e.getMessage());
    }
}
