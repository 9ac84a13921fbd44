package io.mlsm.core.tokenizer;

import io.mlsm.runtime.AtomicFiles;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the Hugging Face {@code tokenizers} serialization ({@code tokenizer.json}, version "1.0") for a
 * {@code Unigram} model: {@code added_tokens}, {@code normalizer}, {@code pre_tokenizer} (Metaspace),
 * {@code post_processor} (TemplateProcessing), {@code decoder} (Metaspace) and {@code model}
 * ({@code type, unk_id, vocab: [[piece, score], ...], byte_fallback}). Every malformed input gets an
 * {@link IllegalArgumentException} naming the file and the field.
 */
final class HfTokenizerJson {

    private static final Logger LOG = LoggerFactory.getLogger(HfTokenizerJson.class);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            .setDefaultPrettyPrinter(new DefaultPrettyPrinter()
                    .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE))
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private static final MathContext SCORE_DIGITS = new MathContext(15, RoundingMode.HALF_EVEN);
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private HfTokenizerJson() {
    }

    // ------------------------------------------------------------------------------------------------ write

    static void write(UnigramTokenizer tok, Path file) throws IOException {
        writeAtomically(toJson(tok), file);
    }

    private static void writeAtomically(JsonNode root, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(String.valueOf(dir), null, "folder for " + file + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("cannot write tokenizer to " + file + ": it is a directory");
        }
        AtomicFiles.write(target, MAPPER.writeValueAsBytes(root));
    }

    /** @return {@code dir/name.provenance.json} for {@code dir/name.json} */
    static Path provenanceFile(Path file) {
        String name = file.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return file.resolveSibling(base + ".provenance.json");
    }

    static void writeProvenance(TokenizerProvenance p, Path file) throws IOException {
        writeAtomically(MAPPER.valueToTree(p), file);
    }

    static TokenizerProvenance readProvenance(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return MAPPER.readValue(file.toFile(), TokenizerProvenance.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("provenance file " + file + " is malformed: " + e.getOriginalMessage(),
                    e);
        }
    }

    /**
     * @return {@code score} rounded to 15 significant digits: a decimal that short parses to the same double in Java
     *         and in {@code serde_json} (whose default float parser is not correctly rounded for 16+ digits), so
     *         Viterbi ties break the same way here and in Python {@code tokenizers}
     */
    static double portableScore(double score) {
        if (score == 0 || !Double.isFinite(score)) {
            return score;
        }
        return new BigDecimal(score).round(SCORE_DIGITS).doubleValue();
    }

    /**
     * Parses a JSON number the way {@code serde_json} does without its {@code float_roundtrip} feature (as the
     * Hugging Face {@code tokenizers} library reads scores): all digits as an unsigned 64-bit integer converted to
     * a double, then one multiplication or division by the power of ten of the exponent.
     */
    static double serdeDouble(JsonNode n) {
        if (!n.isBigDecimal()) {
            return n.asDouble();
        }
        BigDecimal bd = n.decimalValue();
        BigInteger digits = bd.unscaledValue().abs();
        int exponent = -bd.scale();
        if (digits.compareTo(U64_MAX) > 0 || Math.abs(exponent) > 308) {
            return bd.doubleValue();
        }
        double f = new BigDecimal(digits).doubleValue();
        double pow = Double.parseDouble("1e" + Math.abs(exponent));
        f = exponent >= 0 ? f * pow : f / pow;
        return bd.signum() < 0 ? -f : f;
    }

    static ObjectNode toJson(UnigramTokenizer tok) {
        if (tok.source() != null) {
            return tok.source().deepCopy(); // a loaded tokenizer is written back as it was read
        }
        String[] pieces = tok.pieces();
        double[] scores = tok.scores();
        SpecialTokens sp = tok.specials();
        ObjectNode root = F.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        int[] addedIds = tok.addedIds();
        java.util.Arrays.sort(addedIds);
        for (int id : addedIds) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", pieces[id]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        TextPipeline p = tok.pipeline();
        if (!p.isStandard()) {
            throw new IllegalStateException("only the standard text pipeline can be written; this tokenizer was loaded"
                    + " with another one and is written back through its source nodes");
        }
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "Sequence");
        ArrayNode steps = norm.putArray("normalizers");
        ObjectNode replace = steps.addObject();
        replace.put("type", "Replace");
        replace.putObject("pattern").put("Regex", "\\s+");
        replace.put("content", " ");
        ObjectNode strip = steps.addObject();
        strip.put("type", "Strip");
        strip.put("strip_left", true);
        strip.put("strip_right", true);
        root.set("pre_tokenizer", metaspace());
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        String cls = pieces[sp.cls()];
        String sep = pieces[sp.sep()];
        ArrayNode single = post.putArray("single");
        special(single, cls, 0);
        sequence(single, "A", 0);
        special(single, sep, 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, cls, 0);
        sequence(pair, "A", 0);
        special(pair, sep, 0);
        sequence(pair, "B", 1);
        special(pair, sep, 1);
        ObjectNode st = post.putObject("special_tokens");
        for (int id : new int[] {sp.cls(), sp.sep()}) {
            ObjectNode e = st.putObject(pieces[id]);
            e.put("id", pieces[id]);
            e.putArray("ids").add(id);
            e.putArray("tokens").add(pieces[id]);
        }
        root.set("decoder", metaspace());
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram");
        model.put("unk_id", sp.unk());
        ArrayNode vocab = model.putArray("vocab");
        for (int i = 0; i < pieces.length; i++) {
            ArrayNode e = vocab.addArray();
            e.add(pieces[i]);
            if (scores[i] == 0) {
                e.add(0.0);
            } else {
                // at most 15 significant digits: parsed to the same double by Jackson and by serde_json
                e.add(new BigDecimal(scores[i]).round(SCORE_DIGITS).stripTrailingZeros());
            }
        }
        model.put("byte_fallback", false);
        return root;
    }

    private static ObjectNode metaspace() {
        ObjectNode m = F.objectNode();
        m.put("type", "Metaspace");
        m.put("replacement", MetaspaceText.META_STRING);
        // both the pre-0.19 (add_prefix_space) and the current (prepend_scheme, split) fields
        m.put("add_prefix_space", true);
        m.put("prepend_scheme", "always");
        m.put("split", true);
        return m;
    }

    private static void special(ArrayNode a, String id, int typeId) {
        ObjectNode s = a.addObject().putObject("SpecialToken");
        s.put("id", id);
        s.put("type_id", typeId);
    }

    private static void sequence(ArrayNode a, String id, int typeId) {
        ObjectNode s = a.addObject().putObject("Sequence");
        s.put("id", id);
        s.put("type_id", typeId);
    }

    // ------------------------------------------------------------------------------------------------ read

    static UnigramTokenizer read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "tokenizer.json does not exist");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer file " + file + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("tokenizer file " + file + ": expected a JSON object at the top level");
        }
        return new Reader(file, root, readProvenance(provenanceFile(file))).read();
    }

    /** Parses one document, naming {@code file} and the field in every error. */
    private record Reader(Path file, JsonNode root, TokenizerProvenance provenance) {

        IllegalArgumentException error(String field, String problem) {
            return new IllegalArgumentException("tokenizer file " + file + ": field '" + field + "' " + problem);
        }

        JsonNode field(JsonNode node, String parent, String name) {
            JsonNode v = node.get(name);
            if (v == null) {
                throw error(join(parent, name), "is missing");
            }
            return v;
        }

        static String join(String parent, String name) {
            return parent.isEmpty() ? name : parent + "." + name;
        }

        String text(JsonNode node, String parent, String name) {
            JsonNode v = field(node, parent, name);
            if (!v.isTextual()) {
                throw error(join(parent, name), "must be a string, got " + v.getNodeType());
            }
            return v.asText();
        }

        boolean bool(JsonNode node, String parent, String name, boolean dflt) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw error(join(parent, name), "must be true or false, got " + v);
            }
            return v.asBoolean();
        }

        UnigramTokenizer read() {
            JsonNode version = root.get("version");
            if (version != null && !(version.isTextual() && version.asText().equals("1.0"))) {
                throw error("version", "must be \"1.0\", got " + version);
            }
            // model
            JsonNode model = field(root, "", "model");
            if (!model.isObject()) {
                throw error("model", "must be an object, got " + model.getNodeType());
            }
            JsonNode type = model.get("type");
            if (type == null || !type.isTextual() || !type.asText().equals("Unigram")) {
                throw error("model.type", "must be \"Unigram\", got " + type);
            }
            JsonNode vocab = field(model, "model", "vocab");
            if (!vocab.isArray() || vocab.isEmpty()) {
                throw error("model.vocab", "must be a non-empty array of [piece, score] pairs");
            }
            List<String> pieces = new ArrayList<>(vocab.size());
            double[] scores = new double[vocab.size()];
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < vocab.size(); i++) {
                JsonNode e = vocab.get(i);
                String f = "model.vocab[" + i + "]";
                if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber()) {
                    throw error(f, "must be a [piece, score] pair with a string and a number, got " + e);
                }
                String piece = e.get(0).asText();
                if (piece.isEmpty()) {
                    throw error(f, "has an empty piece");
                }
                if (index.put(piece, i) != null) {
                    throw error(f, "repeats the piece '" + piece + "' of entry " + index.get(piece));
                }
                pieces.add(piece);
                scores[i] = serdeDouble(e.get(1));
                if (!Double.isFinite(scores[i])) {
                    throw error(f, "has a non-finite score " + e.get(1));
                }
            }
            JsonNode unkNode = field(model, "model", "unk_id");
            if (!unkNode.canConvertToInt() || !unkNode.isIntegralNumber() || unkNode.asInt() < 0
                    || unkNode.asInt() >= pieces.size()) {
                throw error("model.unk_id", "must be an id in [0, " + pieces.size() + "), got " + unkNode);
            }
            int unk = unkNode.asInt();
            if (bool(model, "model", "byte_fallback", false)) {
                throw error("model.byte_fallback", "is true; byte fallback is not supported");
            }
            // added tokens: model pieces, or new ids right after the model vocabulary (as DeBERTa-v3's [MASK])
            List<Integer> addedSpecial = new ArrayList<>();
            JsonNode added = root.get("added_tokens");
            int modelSize = pieces.size();
            if (added != null && !added.isNull()) {
                if (!added.isArray()) {
                    throw error("added_tokens", "must be an array");
                }
                List<Integer> order = new ArrayList<>();
                for (int k = 0; k < added.size(); k++) {
                    JsonNode idNode = field(added.get(k), "added_tokens[" + k + "]", "id");
                    if (!idNode.isIntegralNumber()) {
                        throw error("added_tokens[" + k + "].id", "must be an integer, got " + idNode);
                    }
                    order.add(k);
                }
                order.sort((x, y) -> Integer.compare(added.get(x).get("id").asInt(), added.get(y).get("id").asInt()));
                for (int k : order) {
                    JsonNode t = added.get(k);
                    String f = "added_tokens[" + k + "]";
                    String content = text(t, f, "content");
                    int id = t.get("id").asInt();
                    if (id < 0 || id > pieces.size()) {
                        throw error(f + ".id", "is " + id + ": added tokens must be model pieces (ids below "
                                + modelSize + ") or follow the vocabulary without gaps (next id " + pieces.size()
                                + ")");
                    }
                    if (id == pieces.size()) {
                        if (index.put(content, id) != null) {
                            throw error(f + ".content", "'" + content + "' is already a model piece");
                        }
                        pieces.add(content);
                        scores = java.util.Arrays.copyOf(scores, pieces.size());
                    } else if (!pieces.get(id).equals(content)) {
                        throw error(f + ".content", "is '" + content + "' but model.vocab[" + id + "] is '"
                                + pieces.get(id) + "'");
                    }
                    if (bool(t, f, "special", false)) {
                        addedSpecial.add(id);
                    }
                }
            }
            TextPipeline pipeline = pipeline();
            // special tokens: [CLS]/[SEP] from the template, <unk> from the model, <pad>/[MASK] by name
            String[] clsSep = template();
            int cls = idOf(index, clsSep[0], "post_processor.single[0].SpecialToken.id");
            int sep = idOf(index, clsSep[1], "post_processor.single[2].SpecialToken.id");
            int pad = idOfAny(index, "added_tokens", "<pad>", "[PAD]", "<PAD>");
            int mask = idOfAny(index, "added_tokens", "[MASK]", "<mask>", "<MASK>");
            // special tokens: [CLS]/[SEP] from the template, <unk> from model.unk_id, <pad>/[MASK] by name; all five
            // must be added tokens marked special
            SpecialTokens specials = new SpecialTokens(cls, sep, unk, pad, mask);
            for (int id : new int[] {cls, sep, unk, pad, mask}) {
                if (!addedSpecial.contains(id)) {
                    // tokenizers splits only added tokens out of the text: without the entry ours would differ
                    throw error("added_tokens", "lacks the special token '" + pieces.get(id) + "' (id " + id
                            + ") with \"special\": true");
                }
            }
            try {
                return new UnigramTokenizer(pieces, scores, specials, addedSpecial, pipeline,
                        ((ObjectNode) root).deepCopy(), provenance);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tokenizer file " + file + ": " + e.getMessage(), e);
            }
        }

        int idOf(Map<String, Integer> index, String piece, String field) {
            Integer id = index.get(piece);
            if (id == null) {
                throw error(field, "names '" + piece + "', which is not in model.vocab");
            }
            return id;
        }

        int idOfAny(Map<String, Integer> index, String field, String... names) {
            for (String n : names) {
                Integer id = index.get(n);
                if (id != null) {
                    return id;
                }
            }
            throw error(field, "has none of the tokens " + String.join(" ", names));
        }

        /** @return the [CLS] and [SEP] strings of a TemplateProcessing {@code [CLS] $A [SEP]} / pair template */
        String[] template() {
            JsonNode post = field(root, "", "post_processor");
            if (!post.isObject()) {
                throw error("post_processor", "must be a TemplateProcessing object, got " + post.getNodeType());
            }
            String type = text(post, "post_processor", "type");
            if (!type.equals("TemplateProcessing")) {
                throw error("post_processor.type", "must be \"TemplateProcessing\", got \"" + type + "\"");
            }
            JsonNode single = field(post, "post_processor", "single");
            JsonNode pair = field(post, "post_processor", "pair");
            String[] s = pieceIds(single, "post_processor.single", new String[] {"S", "A", "S"});
            String[] p = pieceIds(pair, "post_processor.pair", new String[] {"S", "A", "S", "B", "S"});
            if (!p[0].equals(s[0]) || !p[2].equals(s[2]) || !p[4].equals(s[2])) {
                throw error("post_processor.pair", "must be " + s[0] + " $A " + s[2] + " $B " + s[2] + ", got "
                        + String.join(" ", p));
            }
            return new String[] {s[0], s[2]};
        }

        /** Checks a template against a shape of S(pecial) / A / B items and returns the ids of its items. */
        String[] pieceIds(JsonNode items, String field, String[] shape) {
            if (!items.isArray() || items.size() != shape.length) {
                throw error(field, "must have " + shape.length + " items (" + (shape.length == 3
                        ? "[CLS] $A [SEP]" : "[CLS] $A [SEP] $B [SEP]") + "), got " + items);
            }
            String[] out = new String[shape.length];
            for (int k = 0; k < shape.length; k++) {
                JsonNode item = items.get(k);
                String f = field + "[" + k + "]";
                if (shape[k].equals("S")) {
                    JsonNode st = item.get("SpecialToken");
                    if (st == null) {
                        throw error(f, "must be a SpecialToken, got " + item);
                    }
                    out[k] = text(st, f + ".SpecialToken", "id");
                } else {
                    JsonNode seq = item.get("Sequence");
                    if (seq == null) {
                        throw error(f, "must be the Sequence $" + shape[k] + ", got " + item);
                    }
                    String id = text(seq, f + ".Sequence", "id");
                    if (!id.equals(shape[k])) {
                        throw error(f + ".Sequence.id", "must be \"" + shape[k] + "\", got \"" + id + "\"");
                    }
                    out[k] = id;
                }
            }
            return out;
        }

        TextPipeline pipeline() {
            List<TextPipeline.Step> steps = new ArrayList<>();
            JsonNode norm = root.get("normalizer");
            if (norm != null && !norm.isNull()) {
                normalizer(norm, "normalizer", steps);
            }
            JsonNode pre = field(root, "", "pre_tokenizer");
            boolean whitespaceSplit = false;
            JsonNode meta = null;
            String metaField = "pre_tokenizer";
            if (!pre.isObject()) {
                throw error("pre_tokenizer", "must be a Metaspace object, got " + pre.getNodeType());
            }
            String type = text(pre, "pre_tokenizer", "type");
            if (type.equals("Metaspace")) {
                meta = pre;
            } else if (type.equals("Sequence")) {
                JsonNode list = field(pre, "pre_tokenizer", "pretokenizers");
                for (int k = 0; k < list.size(); k++) {
                    String f = "pre_tokenizer.pretokenizers[" + k + "]";
                    String t = text(list.get(k), f, "type");
                    if (t.equals("WhitespaceSplit") && meta == null) {
                        whitespaceSplit = true;
                    } else if (t.equals("Metaspace") && meta == null) {
                        meta = list.get(k);
                        metaField = f;
                    } else {
                        throw error(f + ".type", "must be WhitespaceSplit followed by Metaspace, got \"" + t + "\"");
                    }
                }
                if (meta == null) {
                    throw error("pre_tokenizer.pretokenizers", "has no Metaspace pre-tokenizer");
                }
            } else {
                throw error("pre_tokenizer.type", "must be \"Metaspace\", got \"" + type + "\"");
            }
            String rep = text(meta, metaField, "replacement");
            if (rep.codePointCount(0, rep.length()) != 1) {
                throw error(metaField + ".replacement", "must be one character, got \"" + rep + "\"");
            }
            TextPipeline.Prepend prepend;
            JsonNode scheme = meta.get("prepend_scheme");
            if (scheme != null && !scheme.isNull()) {
                try {
                    prepend = TextPipeline.Prepend.valueOf(scheme.asText().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw error(metaField + ".prepend_scheme", "must be always, first or never, got " + scheme);
                }
            } else if (meta.has("add_prefix_space")) {
                prepend = bool(meta, metaField, "add_prefix_space", true) ? TextPipeline.Prepend.ALWAYS
                        : TextPipeline.Prepend.NEVER;
            } else {
                throw error(metaField + ".prepend_scheme", "is missing (nor is add_prefix_space given)");
            }
            boolean split = bool(meta, metaField, "split", true);
            JsonNode dec = root.get("decoder");
            if (dec != null && !dec.isNull()) {
                String dt = text(dec, "decoder", "type");
                if (!dt.equals("Metaspace")) {
                    throw error("decoder.type", "must be \"Metaspace\", got \"" + dt + "\"");
                }
                if (!text(dec, "decoder", "replacement").equals(rep)) {
                    throw error("decoder.replacement", "must equal the pre-tokenizer's \"" + rep + "\"");
                }
            }
            return new TextPipeline(steps, whitespaceSplit, rep.codePointAt(0), prepend, split);
        }

        void normalizer(JsonNode n, String f, List<TextPipeline.Step> steps) {
            if (!n.isObject()) {
                throw error(f, "must be an object or null, got " + n.getNodeType());
            }
            String type = text(n, f, "type");
            switch (type) {
                case "Sequence" -> {
                    JsonNode list = field(n, f, "normalizers");
                    if (!list.isArray()) {
                        throw error(f + ".normalizers", "must be an array");
                    }
                    for (int k = 0; k < list.size(); k++) {
                        normalizer(list.get(k), f + ".normalizers[" + k + "]", steps);
                    }
                }
                case "Replace" -> {
                    JsonNode pattern = field(n, f, "pattern");
                    String content = text(n, f, "content");
                    if (pattern.has("Regex")) {
                        String regex = text(pattern, f + ".pattern", "Regex");
                        try {
                            steps.add(TextPipeline.regexReplace(regex, content));
                        } catch (java.util.regex.PatternSyntaxException e) {
                            throw error(f + ".pattern.Regex", "is not a valid regular expression: " + e.getMessage());
                        }
                    } else if (pattern.has("String")) {
                        steps.add(TextPipeline.literalReplace(text(pattern, f + ".pattern", "String"), content));
                    } else {
                        throw error(f + ".pattern", "must have a String or Regex, got " + pattern);
                    }
                }
                case "Strip" -> steps.add(TextPipeline.strip(bool(n, f, "strip_left", true),
                        bool(n, f, "strip_right", true)));
                case "NFC" -> steps.add(TextPipeline.unicode(Normalizer.Form.NFC));
                case "NFD" -> steps.add(TextPipeline.unicode(Normalizer.Form.NFD));
                case "NFKC" -> steps.add(TextPipeline.unicode(Normalizer.Form.NFKC));
                case "NFKD" -> steps.add(TextPipeline.unicode(Normalizer.Form.NFKD));
                case "Lowercase" -> steps.add(TextPipeline.lowercase());
                case "Prepend" -> steps.add(TextPipeline.prependText(text(n, f, "prepend")));
                case "Precompiled" -> {
                    LOG.warn("{}: {} is a SentencePiece precompiled character map; approximated by NFKC", file, f);
                    steps.add(TextPipeline.unicode(Normalizer.Form.NFKC));
                }
                default -> throw error(f + ".type", "\"" + type + "\" is not a supported normalizer (Sequence, Replace,"
                        + " Strip, NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Precompiled)");
            }
        }
    }
}
