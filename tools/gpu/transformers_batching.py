"""What micro-batching buys on a GPU, measured with Hugging Face transformers (not this project's
engine, which is Java; the GPU machines lent to us have Python and no Java).

The stream imitates `bench batching`: 60 requests, 5-100 candidates each, documents mostly
snippets, some paragraphs, a few long passages (SyntheticRequests' mix, in tokens: the prompt
around the body is ~55 tokens, a word ~1.3 tokens). Random Qwen3 weights in the tiny shape of
`random:tiny` and in the Qwen3-Reranker-0.6B shape, float16, SDPA attention. Per-pair runs every
input alone (batch 1, no padding); batched sorts pairs by length within windows of 16 batches and
runs batches of --max-pairs, padded on the left as the model card does.

    python3 tools/gpu/transformers_batching.py [--requests 60] [--max-pairs 32] [--json OUT]
"""
import argparse
import json
import random
import time

import torch
from transformers import Qwen3Config, Qwen3ForCausalLM

SHAPES = {
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, head_dim=16),
    "qwen3-0.6b": dict(hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                       num_attention_heads=16, num_key_value_heads=8, head_dim=128),
}


def stream(requests, seed):
    """Token lengths of every pair, request by request, drawn like SyntheticRequests."""
    r = random.Random(seed)
    out = []
    for _ in range(requests):
        query = 4 + r.randrange(8)
        u = r.random()
        n = 5 + r.randrange(16) if u < 0.5 else 20 + r.randrange(31) if u < 0.85 else 50 + r.randrange(51)
        for _ in range(n):
            v = r.random()
            words = 15 + r.randrange(50) if v < 0.6 else 80 + r.randrange(150) if v < 0.9 else 250 + r.randrange(250)
            out.append(55 + round(1.3 * (query + words)))
    return out


def run(model, inputs, max_pairs, device):
    """Seconds to score every input, and real ÷ padded tokens."""
    window = 16 * max_pairs
    real = padded = 0
    torch.cuda.synchronize()
    start = time.perf_counter()
    for w in range(0, len(inputs), window):
        chunk = sorted(inputs[w:w + window], key=len, reverse=True)
        for b in range(0, len(chunk), max_pairs):
            batch = chunk[b:b + max_pairs]
            t = len(batch[0])
            ids = torch.zeros((len(batch), t), dtype=torch.long)
            mask = torch.zeros((len(batch), t), dtype=torch.long)
            for i, x in enumerate(batch):
                ids[i, t - len(x):] = x
                mask[i, t - len(x):] = 1
            real += sum(len(x) for x in batch)
            padded += len(batch) * t
            with torch.no_grad():
                logits = model(input_ids=ids.to(device), attention_mask=mask.to(device),
                               logits_to_keep=1).logits[:, -1]
            logits.float().cpu()  # the scores go back to the host, as they must
    torch.cuda.synchronize()
    return time.perf_counter() - start, real / padded


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=60)
    p.add_argument("--max-pairs", type=int, default=32)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json")
    a = p.parse_args()
    device = "cuda"
    torch.manual_seed(a.seed)
    lengths = stream(a.requests, a.seed)
    g = torch.Generator().manual_seed(a.seed)
    inputs = [torch.randint(0, 151_000, (n,), generator=g) for n in lengths]
    results = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__,
               "pairs": len(inputs), "max_pairs": a.max_pairs, "models": {}}
    for name, shape in SHAPES.items():
        cfg = Qwen3Config(vocab_size=151936, rms_norm_eps=1e-6, rope_theta=1_000_000,
                          tie_word_embeddings=True, **shape)
        model = Qwen3ForCausalLM(cfg).to(device=device, dtype=torch.float16).eval()
        run(model, inputs[:64], 1, device)  # warm-up: kernels, allocator
        run(model, inputs[:256], a.max_pairs, device)
        single_s, _ = run(model, inputs, 1, device)
        batched_s, efficiency = run(model, inputs, a.max_pairs, device)
        r = {"per_pair_pairs_per_s": len(inputs) / single_s,
             "batched_pairs_per_s": len(inputs) / batched_s,
             "ratio": single_s / batched_s, "padding_efficiency": efficiency}
        results["models"][name] = r
        print(f"{name:11s} per-pair {r['per_pair_pairs_per_s']:9.1f} pairs/s  batched "
              f"{r['batched_pairs_per_s']:9.1f} pairs/s  ratio {r['ratio']:.2f}  padding "
              f"{efficiency:.2f}", flush=True)
        del model
        torch.cuda.empty_cache()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
