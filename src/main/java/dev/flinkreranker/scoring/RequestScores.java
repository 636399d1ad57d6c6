package dev.flinkreranker.scoring;

/**
 * Scores of one request's pairs, in submission order.
 *
 * @param queueMillis time from submission until the request's first pair entered a batch
 * @param inferenceMillis time from that batch's start until the request's last pair was scored
 */
public record RequestScores(
    float[] scores, boolean[] truncated, long queueMillis, long inferenceMillis) {}
