package dev.flinkreranker.cli;

import dev.flinkreranker.scoring.ScorerSpec;
import picocli.CommandLine.Option;

/** The options that pick and configure a scorer, shared by {@code score} and {@code try}. */
public final class ModelOptions {
  @Option(
      names = "--model",
      required = true,
      description = "Model directory in Hugging Face layout (e.g. a downloaded Qwen3-Reranker-0.6B), or 'lexical'.")
  String model;

  @Option(
      names = "--max-length",
      defaultValue = "8192",
      description = "Maximum model input in tokens, prompt included; longer documents are cut (default: ${DEFAULT-VALUE}, at most 32768).")
  int maxLength;

  @Option(
      names = "--instruction",
      description = "Task instruction for pairs without their own (default: the model card's web-search instruction).")
  String instruction;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--dtype", defaultValue = "auto", description = "auto, fp32 or fp16 (default: ${DEFAULT-VALUE}: fp16 on a GPU, fp32 on the CPU).")
  String dtype;

  ScorerSpec spec() {
    return new ScorerSpec(model, device, dtype, maxLength);
  }
}
