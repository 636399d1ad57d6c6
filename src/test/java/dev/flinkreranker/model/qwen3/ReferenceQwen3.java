package dev.flinkreranker.model.qwen3;

import java.util.Map;

/**
 * An independent, deliberately plain double-precision Qwen3 forward pass (loops only, one
 * unpadded sequence), written from transformers' modeling_qwen3.py and not from Qwen3Model.
 * It reads the weights the checkpoint generator stored, not the safetensors reader's output.
 */
final class ReferenceQwen3 {
  private final TinyQwen3Checkpoint ck;
  private final Map<String, float[]> w;
  private final int d;
  private final int nh;
  private final int kvh;
  private final int hd;
  private final int inter;

  ReferenceQwen3(TinyQwen3Checkpoint ck) {
    this.ck = ck;
    this.w = ck.weights();
    this.d = ck.config().hiddenSize();
    this.nh = ck.config().numAttentionHeads();
    this.kvh = ck.config().numKeyValueHeads();
    this.hd = ck.config().headDim();
    this.inter = ck.config().intermediateSize();
  }

  /** logit(a) − logit(b) at the last token of {@code ids}. */
  double logitDifference(int[] ids, int a, int b) {
    int t = ids.length;
    double[][] x = new double[t][d];
    float[] emb = w.get("model.embed_tokens.weight");
    for (int p = 0; p < t; p++) {
      for (int i = 0; i < d; i++) {
        x[p][i] = emb[ids[p] * d + i];
      }
    }
    for (int l = 0; l < ck.config().numHiddenLayers(); l++) {
      String pre = "model.layers." + l + ".";
      double[][] q = new double[t][];
      double[][] k = new double[t][];
      double[][] v = new double[t][];
      for (int p = 0; p < t; p++) {
        double[] xn = rmsNorm(x[p], w.get(pre + "input_layernorm.weight"));
        q[p] = matVec(w.get(pre + "self_attn.q_proj.weight"), nh * hd, d, xn);
        k[p] = matVec(w.get(pre + "self_attn.k_proj.weight"), kvh * hd, d, xn);
        v[p] = matVec(w.get(pre + "self_attn.v_proj.weight"), kvh * hd, d, xn);
        headNormAndRope(q[p], nh, w.get(pre + "self_attn.q_norm.weight"), p);
        headNormAndRope(k[p], kvh, w.get(pre + "self_attn.k_norm.weight"), p);
      }
      double[][] attn = new double[t][nh * hd];
      int group = nh / kvh;
      for (int p = 0; p < t; p++) {
        for (int h = 0; h < nh; h++) {
          int kvHead = h / group;
          double[] s = new double[p + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= p; j++) {
            double dot = 0;
            for (int e = 0; e < hd; e++) {
              dot += q[p][h * hd + e] * k[j][kvHead * hd + e];
            }
            s[j] = dot / Math.sqrt(hd);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j <= p; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int j = 0; j <= p; j++) {
            for (int e = 0; e < hd; e++) {
              attn[p][h * hd + e] += s[j] / sum * v[j][kvHead * hd + e];
            }
          }
        }
      }
      for (int p = 0; p < t; p++) {
        double[] o = matVec(w.get(pre + "self_attn.o_proj.weight"), d, nh * hd, attn[p]);
        for (int i = 0; i < d; i++) {
          x[p][i] += o[i];
        }
        double[] xn = rmsNorm(x[p], w.get(pre + "post_attention_layernorm.weight"));
        double[] gate = matVec(w.get(pre + "mlp.gate_proj.weight"), inter, d, xn);
        double[] up = matVec(w.get(pre + "mlp.up_proj.weight"), inter, d, xn);
        double[] act = new double[inter];
        for (int i = 0; i < inter; i++) {
          act[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        double[] down = matVec(w.get(pre + "mlp.down_proj.weight"), d, inter, act);
        for (int i = 0; i < d; i++) {
          x[p][i] += down[i];
        }
      }
    }
    double[] last = rmsNorm(x[t - 1], w.get("model.norm.weight"));
    float[] head = w.get(ck.config().tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
    double diff = 0;
    for (int i = 0; i < d; i++) {
      diff += last[i] * ((double) head[a * d + i] - head[b * d + i]);
    }
    return diff;
  }

  private double[] rmsNorm(double[] x, float[] weight) {
    double ss = 0;
    for (double v : x) {
      ss += v * v;
    }
    double inv = 1 / Math.sqrt(ss / x.length + ck.config().rmsNormEps());
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * inv * weight[i];
    }
    return out;
  }

  /** Per-head RMSNorm, then rotate-half RoPE at position {@code pos}, in place. */
  private void headNormAndRope(double[] v, int heads, float[] normWeight, int pos) {
    int half = hd / 2;
    for (int h = 0; h < heads; h++) {
      double[] head = new double[hd];
      System.arraycopy(v, h * hd, head, 0, hd);
      head = rmsNorm(head, normWeight);
      for (int j = 0; j < half; j++) {
        double angle = pos * Math.pow(ck.config().ropeTheta(), -2.0 * j / hd);
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        v[h * hd + j] = head[j] * c - head[j + half] * s;
        v[h * hd + j + half] = head[j + half] * c + head[j] * s;
      }
    }
  }

  /** y = W x for a row-major (rows, cols) weight. */
  private static double[] matVec(float[] wt, int rows, int cols, double[] x) {
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      double acc = 0;
      for (int c = 0; c < cols; c++) {
        acc += wt[r * cols + c] * x[c];
      }
      y[r] = acc;
    }
    return y;
  }
}
