package io.mlsm.eval.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * BLiMP's phenomena as rows of the papers' tables (Warstadt et al. 2020, Table 1 of Berend 2023): the
 * {@code linguistics_term} of each filtered-BLiMP record mapped to one of the 12 phenomena, and the 5 supplement
 * tasks. {@code s-selection} (the two {@code animate_subject_*} paradigms) belongs to "argument structure", as in
 * the BLiMP paper; {@code filler_gap_dependency} is the row "filler gap".
 *
 * <pre>{@code
 * String row = BlimpPhenomena.rowOf("filler_gap_dependency").orElseThrow();   // "filler gap"
 * }</pre>
 */
public final class BlimpPhenomena {

    /** The 12 BLiMP phenomena, in the papers' (alphabetical) order. */
    public static final List<String> BLIMP_ROWS = List.of("anaphor agreement", "argument structure", "binding",
            "control raising", "determiner noun agreement", "ellipsis", "filler gap", "irregular forms",
            "island effects", "npi licensing", "quantifiers", "subject verb agreement");

    /** The 5 supplement tasks (file stems) of BabyLM's BLiMP supplement. */
    public static final List<String> SUPPLEMENT_TASKS = List.of("hypernym", "qa_congruence_easy",
            "qa_congruence_tricky", "subject_aux_inversion", "turn_taking");

    private static final Map<String, String> TERM_TO_ROW = new LinkedHashMap<>();

    static {
        TERM_TO_ROW.put("anaphor_agreement", "anaphor agreement");
        TERM_TO_ROW.put("argument_structure", "argument structure");
        TERM_TO_ROW.put("s-selection", "argument structure");
        TERM_TO_ROW.put("binding", "binding");
        TERM_TO_ROW.put("control_raising", "control raising");
        TERM_TO_ROW.put("determiner_noun_agreement", "determiner noun agreement");
        TERM_TO_ROW.put("ellipsis", "ellipsis");
        TERM_TO_ROW.put("filler_gap_dependency", "filler gap");
        TERM_TO_ROW.put("filler_gap", "filler gap");
        TERM_TO_ROW.put("irregular_forms", "irregular forms");
        TERM_TO_ROW.put("island_effects", "island effects");
        TERM_TO_ROW.put("npi_licensing", "npi licensing");
        TERM_TO_ROW.put("quantifiers", "quantifiers");
        TERM_TO_ROW.put("subject_verb_agreement", "subject verb agreement");
    }

    private BlimpPhenomena() {
    }

    /** @return the table row of a BLiMP {@code linguistics_term}, empty if unknown */
    public static Optional<String> rowOf(String linguisticsTerm) {
        return Optional.ofNullable(TERM_TO_ROW.get(linguisticsTerm));
    }

    /** @return the known {@code linguistics_term} values */
    public static List<String> knownTerms() {
        return List.copyOf(TERM_TO_ROW.keySet());
    }

    /** @return the table row of a supplement task: its file stem with spaces for underscores */
    public static String supplementRow(String task) {
        return task.replace('_', ' ');
    }

    /** @return all 17 rows of the papers' BLiMP table (12 phenomena + 5 supplement tasks), alphabetically */
    public static List<String> allRows() {
        List<String> rows = new java.util.ArrayList<>(BLIMP_ROWS);
        SUPPLEMENT_TASKS.forEach(t -> rows.add(supplementRow(t)));
        rows.sort(null);
        return List.copyOf(rows);
    }
}
