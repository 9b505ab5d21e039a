package io.kmsgw.crypto.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for a test: a real filesystem that fills up. Mounting needs root (CI runs the tests as root);
 * where it is impossible the test is skipped, saying why.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code bytes} at a new directory under {@code parent}. */
    public static Tmpfs mount(Path parent, long bytes) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(parent.resolve("tmpfs"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        Assumptions.assumeTrue(done && p.exitValue() == 0, "cannot mount a tmpfs here (needs root): " + out);
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Fills the filesystem with {@code filler} until a write fails; returns the file. */
    public Path fill() throws IOException {
        Path filler = dir.resolve("filler");
        byte[] chunk = new byte[64 * 1024];
        try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
            f.seek(f.length());
            while (true) {
                f.write(chunk);
            }
        } catch (IOException full) {
            return filler; // no space left
        }
    }

    /** Frees what {@link #fill} took. */
    public void free() throws IOException {
        Files.deleteIfExists(dir.resolve("filler"));
    }

    @Override
    public void close() throws IOException {
        Process p = new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        try {
            p.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
