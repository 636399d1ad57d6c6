"""Goldens for the Qwen3 reranker from Hugging Face transformers.

Runs where torch and transformers are installed (no network needed), on the inputs that
GoldenCases.main writes (tiny random checkpoints in the Hugging Face layout, the real Qwen3
tokenizer, the pairs and the prompt):

    python3 tools/goldens/qwen3_goldens.py CASES_DIR OUT.json

It follows the Qwen3-Reranker model card's transformers code: the tokenizer cuts the formatted
body to max_length - |prefix| - |suffix| tokens ('longest_first'), prefix and suffix ids go
around it, the batch is padded on the left, and the score is softmax([no, yes]) of the last
position's logits. Besides that batch it records every pair alone (no padding) in float64 and
float32 on the CPU (eager attention), and in float32, float16 and bfloat16 on a GPU when one is
there. TransformersGoldenTest compares the project against the output.
"""
import hashlib
import json
import os
import platform
import sys

import tokenizers
import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def body(pair, default_instruction):
    instruction = pair["instruction"] if pair["instruction"] is not None else default_instruction
    return "<Instruct>: {}\n<Query>: {}\n<Document>: {}".format(
        instruction, pair["query"], pair["document"])


def last_logits(model, ids_list, device):
    """The last position's logits of every input alone (no padding)."""
    out = []
    for ids in ids_list:
        x = torch.tensor([ids], device=device)
        with torch.no_grad():
            logits = model(input_ids=x, logits_to_keep=1).logits[0, -1]
        out.append(logits)
    return out


def main():
    cases_dir, out_path = sys.argv[1], sys.argv[2]
    cases = json.load(open(os.path.join(cases_dir, "cases.json")))
    tok = AutoTokenizer.from_pretrained(os.path.join(cases_dir, "tokenizer"), padding_side="left")
    raw = tokenizers.Tokenizer.from_file(os.path.join(cases_dir, "tokenizer", "tokenizer.json"))
    prefix_ids = tok.encode(cases["prefix"], add_special_tokens=False)
    suffix_ids = tok.encode(cases["suffix"], add_special_tokens=False)
    yes_id = tok.convert_tokens_to_ids("yes")
    no_id = tok.convert_tokens_to_ids("no")
    max_length = cases["max_length"]
    bodies = [body(p, cases["default_instruction"]) for p in cases["pairs"]]
    # The model card's process_inputs, step by step.
    enc = tok(bodies, padding=False, truncation="longest_first", return_attention_mask=False,
              max_length=max_length - len(prefix_ids) - len(suffix_ids))
    input_ids = [prefix_ids + e + suffix_ids for e in enc["input_ids"]]
    untruncated = [raw.encode(b, add_special_tokens=False).ids for b in bodies]
    truncated = [len(u) > len(e) for u, e in zip(untruncated, enc["input_ids"])]
    for u, e in zip(untruncated, enc["input_ids"]):
        assert u[:len(e)] == e, "the raw tokenizer and AutoTokenizer disagree"
    padded = tok.pad({"input_ids": input_ids}, padding=True, return_tensors="pt")

    result = {
        "generated_by": "tools/goldens/qwen3_goldens.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "tokenizers": tokenizers.__version__,
        "python": platform.python_version(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "prefix": cases["prefix"],
        "suffix": cases["suffix"],
        "default_instruction": cases["default_instruction"],
        "max_length": max_length,
        "pairs": cases["pairs"],
        "prefix_ids": prefix_ids,
        "suffix_ids": suffix_ids,
        "yes_id": yes_id,
        "no_id": no_id,
        "input_ids": input_ids,
        "truncated": truncated,
        "logits_columns": ["no", "yes"],
        "checkpoints": [],
    }
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    for ck in cases["checkpoints"]:
        name = ck["variant"]["name"]
        path = os.path.join(cases_dir, name)
        digests = {f: sha256(os.path.join(path, f))
                   for f in sorted(os.listdir(path)) if f.endswith(".safetensors")}
        assert digests == ck["weight_sha256"], "weights changed in transit: " + name
        runs = {}

        def run(label, dtype, device, attn, batch):
            model = AutoModelForCausalLM.from_pretrained(
                path, dtype=dtype, attn_implementation=attn).to(device).eval()
            if batch:
                with torch.no_grad():
                    logits = model(input_ids=padded["input_ids"].to(device),
                                   attention_mask=padded["attention_mask"].to(device),
                                   logits_to_keep=1).logits[:, -1]
                rows = list(logits)
            else:
                rows = last_logits(model, input_ids, device)
            runs[label] = [[float(r[no_id]), float(r[yes_id])] for r in rows]
            if label == "cpu_fp32_card_batch":
                # The card's score: softmax over [no, yes], then P(yes).
                pair = torch.stack([logits[:, no_id], logits[:, yes_id]], dim=1).float()
                runs["cpu_fp32_card_scores"] = [
                    float(s) for s in torch.nn.functional.log_softmax(pair, dim=1)[:, 1].exp()]
            del model

        run("cpu_fp64_single", torch.float64, "cpu", "eager", False)
        run("cpu_fp32_single", torch.float32, "cpu", "eager", False)
        run("cpu_fp32_card_batch", torch.float32, "cpu", "eager", True)
        if torch.cuda.is_available():
            run("cuda_fp32_single", torch.float32, "cuda", "sdpa", False)
            run("cuda_fp16_single", torch.float16, "cuda", "sdpa", False)
            run("cuda_fp16_card_batch", torch.float16, "cuda", "sdpa", True)
            run("cuda_bf16_card_batch", torch.bfloat16, "cuda", "sdpa", True)
        result["checkpoints"].append(
            {"variant": ck["variant"], "weight_sha256": digests, "logits": runs})
        ref = runs["cpu_fp64_single"]
        for label, rows in runs.items():
            if label.endswith("scores"):
                continue
            err = max(abs((r[1] - r[0]) - (f[1] - f[0])) for r, f in zip(rows, ref))
            print(f"{name:20s} {label:22s} max |(yes-no) - fp64| = {err:.3e}")
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
