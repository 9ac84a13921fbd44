package io.mlsm.core.tokenizer;

import io.mlsm.runtime.Provenance;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenizerProvenanceTest {

    @Test
    void theGeneralFormCarriesEveryFieldAndConvertsBack() {
        UnigramTrainer.Options options = UnigramTrainer.Options.of(1000);
        TokenizerProvenance t = new TokenizerProvenance("unigram-lm (Kudo 2018)", options, "corpus.txt", 12345,
                2000, 300, 1500, "0.1.0", "2026-01-02T03:04:05Z");
        Provenance p = t.toProvenance();
        assertEquals(TokenizerProvenance.ARTIFACT, p.artifact());
        assertEquals(options.seed(), p.seed());
        assertEquals(1000, p.config().get("vocabSize").asInt());
        assertEquals(new Provenance.DataIdentity("corpus.txt", 12345, null, null),
                p.data().get(TokenizerProvenance.DATA_KEY));
        assertEquals("2000", p.extra().get("words"));
        assertEquals(t, TokenizerProvenance.from(p));
        assertEquals(t, TokenizerProvenance.from(Provenance.fromJson(p.toJson())));
    }

    @Test
    void otherArtifactsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> TokenizerProvenance.from(Provenance.builder("dictionary").build()));
    }
}
