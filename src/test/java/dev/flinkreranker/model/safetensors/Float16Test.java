package dev.flinkreranker.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Float16Test {

  @Test
  void everyHalfValueRoundTrips() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = Float16.f16ToFloat((short) bits);
      if (Float.isNaN(f)) {
        assertTrue((bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0);
        continue;
      }
      assertEquals(bits, Float16.floatToF16(f) & 0xffff, "half bits " + Integer.toHexString(bits));
    }
  }

  @Test
  void knownHalfValues() {
    assertEquals(1.0f, Float16.f16ToFloat((short) 0x3c00));
    assertEquals(-2.0f, Float16.f16ToFloat((short) 0xc000));
    assertEquals(65504f, Float16.f16ToFloat((short) 0x7bff));
    assertEquals(0x1p-24f, Float16.f16ToFloat((short) 0x0001)); // smallest subnormal
    assertEquals(Float.POSITIVE_INFINITY, Float16.f16ToFloat((short) 0x7c00));
    // Round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
    assertEquals(0x3c00, Float16.floatToF16(1f + 0x1p-11f) & 0xffff);
    assertEquals(0x7c00, Float16.floatToF16(1e6f) & 0xffff); // overflow to infinity
  }

  @Test
  void bfloat16IsTheUpperHalfOfAFloat() {
    assertEquals(1.0f, Float16.bf16ToFloat((short) 0x3f80));
    assertEquals(-0.5f, Float16.bf16ToFloat((short) 0xbf00));
    assertEquals(0x3f80, Float16.floatToBf16(1.0f) & 0xffff);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1.0).
    assertEquals(0x3f80, Float16.floatToBf16(1f + 0x1p-8f) & 0xffff);
    assertEquals(0x3f81, Float16.floatToBf16(1f + 0x1p-8f + 0x1p-12f) & 0xffff);
  }
}
