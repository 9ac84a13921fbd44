/**
 * Sub-word tokenisation: the {@link io.mlsm.core.tokenizer.Tokenizer} contract and the Unigram LM tokenizer
 * (Kudo 2018, "Subword Regularization", ACL) with Hugging Face {@code tokenizer.json} interop.
 *
 * <pre>{@code
 * UnigramTokenizer tok = UnigramTokenizer.train(Path.of("corpus.txt"), UnigramTrainer.Options.of(25_000));
 * tok.save(Path.of("tokenizer.json"));                  // loads in Python: Tokenizer.from_file("tokenizer.json")
 * int[] ids = tok.encodePair(tok.encode("The cat sat."), tok.encode("It purred."), 128);
 * UnigramTokenizer released = UnigramTokenizer.load(Path.of("released/tokenizer.json"));
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.mlsm.core.tokenizer.UnigramTrainer}: seed vocabulary from frequent substrings, EM over unique
 *       words, likelihood-based pruning to the target size, single characters kept.</li>
 *   <li>{@link io.mlsm.core.tokenizer.UnigramTokenizer}: Viterbi encoding, decoding, templates, save/load.</li>
 *   <li>{@link io.mlsm.core.tokenizer.TokenizerProvenance}: how a tokenizer was trained, saved beside it.</li>
 *   <li>{@link io.mlsm.core.tokenizer.VocabularyFit}: whether a tokenizer fits a model's vocabulary (error when
 *       larger, warning when smaller).</li>
 * </ul>
 */
package io.mlsm.core.tokenizer;
