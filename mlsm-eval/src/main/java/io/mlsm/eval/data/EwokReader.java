package io.mlsm.eval.data;

import io.mlsm.eval.EvalLimit;
import net.lingala.zip4j.exception.ZipException;
import net.lingala.zip4j.io.inputstream.ZipInputStream;
import net.lingala.zip4j.model.LocalFileHeader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads EWoK items from a password-protected zip (ZipCrypto or AES, via zip4j) entirely in memory: entries are
 * streamed and parsed, nothing is written to disk. Each {@code .jsonl} entry is one domain with fields
 * {@code Domain, ConceptA, ConceptB, ContextType, ContextDiff, TargetDiff, Context1, Context2, Target1, Target2}.
 * Entries are read in name order; the limit keeps the first N items of each entry.
 *
 * <pre>{@code
 * Path dir = shared.resolve("data/ewok_filtered");
 * char[] pw = EwokReader.passwordFromManifest(dir.resolve("MANIFEST.txt"), "ewok_filtered_babylm2025.zip");
 * List<EwokItem> items = EwokReader.read(dir.resolve("ewok_filtered_babylm2025.zip"), pw, EvalLimit.all());
 * }</pre>
 */
public final class EwokReader {

    private static final Pattern PASSWORD_LINE = Pattern.compile("^\\s*(\\S+\\.zip)\\s+password:\\s*(\\S+)");

    private EwokReader() {
    }

    /**
     * Finds the password of {@code zipName} in a MANIFEST line of the form {@code <name>.zip  password: <pw> ...}.
     *
     * @return the password
     * @throws IllegalArgumentException when the MANIFEST has no password line for that zip
     */
    public static char[] passwordFromManifest(Path manifest, String zipName) throws IOException {
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            Matcher m = PASSWORD_LINE.matcher(line);
            if (m.find() && m.group(1).equals(zipName)) {
                return m.group(2).toCharArray();
            }
        }
        throw new IllegalArgumentException(manifest + ": no line '" + zipName + "  password: ...'");
    }

    /** @return the items of every {@code .jsonl} entry of the zip */
    public static List<EwokItem> read(Path zip, char[] password, EvalLimit limit) throws IOException {
        if (!Files.isRegularFile(zip)) {
            throw new IOException("not a readable file: " + zip);
        }
        // entry name -> items; read all entries first, then order by name for a deterministic result
        TreeMap<String, List<EwokItem>> byEntry = new TreeMap<>(Comparator.naturalOrder());
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw, password)) {
            LocalFileHeader h;
            while ((h = nextEntry(in, zip)) != null) {
                if (h.isDirectory() || !h.getFileName().endsWith(".jsonl")) {
                    continue;
                }
                String source = zip.getFileName() + "!" + h.getFileName();
                List<JsonRecord> recs;
                try {
                    recs = JsonLines.read(in, source, limit.perGroup());
                } catch (ZipException e) {
                    throw wrongPassword(zip, e);
                }
                List<EwokItem> items = new ArrayList<>();
                for (JsonRecord r : recs) {
                    items.add(toItem(r));
                }
                byEntry.put(h.getFileName(), items);
            }
        } catch (ZipException e) {
            throw wrongPassword(zip, e);
        }
        if (byEntry.isEmpty()) {
            throw new IOException(zip + ": no .jsonl entries");
        }
        List<EwokItem> out = new ArrayList<>();
        byEntry.values().forEach(out::addAll);
        return out;
    }

    private static LocalFileHeader nextEntry(ZipInputStream in, Path zip) throws IOException {
        try {
            return in.getNextEntry();
        } catch (ZipException e) {
            throw wrongPassword(zip, e);
        }
    }

    private static IOException wrongPassword(Path zip, ZipException e) {
        String what = e.getType() == ZipException.Type.WRONG_PASSWORD ? "wrong password" : e.getMessage();
        return new IOException(zip + ": cannot decrypt/read entry: " + what, e);
    }

    static EwokItem toItem(JsonRecord r) {
        return new EwokItem(r.nonBlankText("Domain"), r.text("ConceptA"), r.text("ConceptB"),
                r.text("ContextType"), r.text("ContextDiff"), r.text("TargetDiff"), r.nonBlankText("Context1"),
                r.nonBlankText("Context2"), r.nonBlankText("Target1"), r.nonBlankText("Target2"), r.where());
    }
}
