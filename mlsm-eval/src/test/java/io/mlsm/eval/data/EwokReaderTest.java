package io.mlsm.eval.data;

import io.mlsm.eval.EvalLimit;
import net.lingala.zip4j.io.outputstream.ZipOutputStream;
import net.lingala.zip4j.model.ZipParameters;
import net.lingala.zip4j.model.enums.AesKeyStrength;
import net.lingala.zip4j.model.enums.EncryptionMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EwokReaderTest {

    static String rec(String domain, int i) {
        return "{\"Domain\": \"" + domain + "\", \"ConceptA\": \"a\", \"ConceptB\": \"b\", \"ContextType\": \"t\", "
                + "\"ContextDiff\": \"cd\", \"TargetDiff\": \"td\", \"Context1\": \"C1 " + i + "\", \"Context2\": "
                + "\"C2 " + i + "\", \"Target1\": \"T1 " + i + "\", \"Target2\": \"T2 " + i + "\"}\n";
    }

    static void writeZip(Path zip, char[] pw, EncryptionMethod method, Map<String, String> entries)
            throws IOException {
        try (OutputStream raw = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(raw, pw)) {
            ZipParameters dir = new ZipParameters();
            dir.setFileNameInZip("data/");
            out.putNextEntry(dir);
            out.closeEntry();
            for (Map.Entry<String, String> e : entries.entrySet()) {
                ZipParameters p = new ZipParameters();
                p.setFileNameInZip(e.getKey());
                p.setEncryptFiles(true);
                p.setEncryptionMethod(method);
                if (method == EncryptionMethod.AES) {
                    p.setAesKeyStrength(AesKeyStrength.KEY_STRENGTH_256);
                }
                out.putNextEntry(p);
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    @Test
    void readsEncryptedEntriesInMemoryInNameOrderWithLimit(@TempDir Path dir) throws IOException {
        for (EncryptionMethod m : new EncryptionMethod[] {EncryptionMethod.ZIP_STANDARD, EncryptionMethod.AES}) {
            Path zip = dir.resolve("e-" + m + ".zip");
            Map<String, String> entries = new java.util.LinkedHashMap<>();
            entries.put("data/zeta.jsonl", rec("zeta", 0) + rec("zeta", 1) + rec("zeta", 2));
            entries.put("data/alpha.jsonl", rec("alpha", 0) + rec("alpha", 1));
            entries.put("data/readme.txt", "not data");
            writeZip(zip, "pw".toCharArray(), m, entries);
            List<String> before;
            try (Stream<Path> s = Files.list(dir)) {
                before = s.map(Path::toString).sorted().toList();
            }

            List<EwokItem> items = EwokReader.read(zip, "pw".toCharArray(), EvalLimit.all());
            assertEquals(5, items.size());
            assertEquals("alpha", items.get(0).domain());
            assertEquals("C1 0", items.get(0).context1());
            assertEquals("T2 1", items.get(1).target2());
            assertEquals("zeta", items.get(2).domain());
            assertTrue(items.get(4).where().endsWith("!data/zeta.jsonl:3"), items.get(4).where());

            List<EwokItem> firstTwo = EwokReader.read(zip, "pw".toCharArray(), EvalLimit.firstN(2));
            Map<String, Long> perDomain = firstTwo.stream()
                    .collect(Collectors.groupingBy(EwokItem::domain, TreeMap::new, Collectors.counting()));
            assertEquals(Map.of("alpha", 2L, "zeta", 2L), perDomain);

            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(before, s.map(Path::toString).sorted().toList(), "reader wrote files");
            }
            IOException wrong = assertThrows(IOException.class,
                    () -> EwokReader.read(zip, "nope".toCharArray(), EvalLimit.all()));
            assertTrue(wrong.getMessage().contains(zip.getFileName().toString()), wrong.getMessage());
        }
    }

    @Test
    void rejectsBadItemsNamingEntryLineAndField(@TempDir Path dir) throws IOException {
        Path zip = dir.resolve("bad.zip");
        writeZip(zip, "pw".toCharArray(), EncryptionMethod.ZIP_STANDARD,
                Map.of("d.jsonl", rec("d", 0) + rec("d", 1).replace("\"Target2\"", "\"Target9\"")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EwokReader.read(zip, "pw".toCharArray(), EvalLimit.all()));
        assertTrue(e.getMessage().contains("bad.zip!d.jsonl:2: field 'Target2' is missing"), e.getMessage());
    }

    @Test
    void passwordComesFromTheManifest(@TempDir Path dir) throws IOException {
        Path m = dir.resolve("MANIFEST.txt");
        Files.writeString(m, "FILES:\n a.zip  password: first  (note)\n b.zip  password: second\n");
        assertArrayEquals("second".toCharArray(), EwokReader.passwordFromManifest(m, "b.zip"));
        assertArrayEquals("first".toCharArray(), EwokReader.passwordFromManifest(m, "a.zip"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EwokReader.passwordFromManifest(m, "c.zip"));
        assertTrue(e.getMessage().contains("c.zip"), e.getMessage());
    }

    @Test
    void realEwokZipsDecryptWithManifestPasswords() throws IOException {
        Path dir = SharedData.dir("ewok_filtered");
        Path manifest = dir.resolve("MANIFEST.txt");
        List<EwokItem> full = EwokReader.read(dir.resolve("ewok_filtered_babylm2025.zip"),
                EwokReader.passwordFromManifest(manifest, "ewok_filtered_babylm2025.zip"), EvalLimit.all());
        assertEquals(7_618, full.size());
        assertEquals(11, full.stream().map(EwokItem::domain).distinct().count());
        List<EwokItem> fast = EwokReader.read(dir.resolve("ewok_fast.zip"),
                EwokReader.passwordFromManifest(manifest, "ewok_fast.zip"), EvalLimit.all());
        assertEquals(1_100, fast.size());
        List<EwokItem> limited = EwokReader.read(dir.resolve("ewok_fast.zip"),
                EwokReader.passwordFromManifest(manifest, "ewok_fast.zip"), EvalLimit.firstN(3));
        assertEquals(33, limited.size());
    }
}
