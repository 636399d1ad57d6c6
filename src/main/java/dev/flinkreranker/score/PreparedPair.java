package dev.flinkreranker.score;

/**
 * A pair after the scorer's cheap preparation step (tokenization for a model), so that the
 * micro-batcher can pack batches by token budget without tokenizing twice.
 *
 * @param pair the input pair
 * @param tokens length of the model input in tokens (what the pair costs in a padded batch)
 * @param truncated true when the document was cut to fit the scorer's maximum length
 * @param inputIds the model's token ids (prefix + body + suffix), or null for scorers without ids
 */
public record PreparedPair(Pair pair, int tokens, boolean truncated, int[] inputIds) {}
