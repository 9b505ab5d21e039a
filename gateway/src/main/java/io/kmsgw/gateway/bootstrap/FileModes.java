package io.kmsgw.gateway.bootstrap;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nothing kmsgw keeps is readable by other users, whatever the umask: a data dir it creates is 0700, and what it creates in
 * one is made 0600 (directories 0700) once made — the store and its WAL, tokens, keys, audit files, instance files, backups
 * and restored dirs. Java cannot set its own umask, and SQLite creates its files with the process's, so the modes are set
 * after creation ({@link #tighten}) as well as at creation where kmsgw opens the file itself (secret files, audit files). An
 * existing data dir that others can enter is left as the operator made it, with one WARN line naming it and the fix.
 * On a filesystem without POSIX permissions this does nothing.
 */
public final class FileModes {
    private static final Logger LOG = LoggerFactory.getLogger(FileModes.class);
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);
    private FileModes() {
    }

    /**
     * Makes the data dir ready: a new one is created 0700 (its missing parents as the umask says); an existing one that
     * group or others may use gets one WARN line.
     */
    public static void prepareDataDir(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (posix(dir.getFileSystem())) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
                Files.setPosixFilePermissions(dir, DIR); // the umask may have taken bits from the creation mode
            } else {
                Files.createDirectory(dir);
            }
            return;
        }
        if (posix(dir.getFileSystem())) {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
            if (p.stream().anyMatch(OTHERS::contains)) {
                LOG.warn("the data dir {} can be entered by other users (mode {}): its store, tokens and audit are secret; run "
                        + "chmod 700 {}", dir, PosixFilePermissions.toString(p), dir);
            }
        }
    }

    /**
     * Takes group and others' bits from every file (0600) and directory (0700) under {@code root}; {@code root} itself is left
     * as {@link #prepareDataDir} found or made it.
     */
    public static void tighten(Path root) throws IOException {
        if (!Files.exists(root) || !posix(root.getFileSystem())) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                try {
                    if (p.equals(root) || Files.isSymbolicLink(p)) {
                        continue;
                    }
                    Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                    if (now.stream().anyMatch(OTHERS::contains)) {
                        Files.setPosixFilePermissions(p, Files.isDirectory(p) ? DIR : FILE);
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // removed meanwhile (a rolled WAL, a temporary file)
                }
            }
        }
    }

    private static boolean posix(FileSystem fs) {
        return fs.supportedFileAttributeViews().contains("posix");
    }
}
