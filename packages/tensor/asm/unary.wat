  ;; Elementwise float32 functions of one argument, in place over n floats at p (n a multiple of 16;
  ;; the caller pads). Op codes (see src/backend/wasm/elementwise.ts):
  ;;  0 neg, 1 exp, 2 log, 3 sqrt, 4 rsqrt, 5 tanh, 6 sigmoid, 7 relu, 8 gelu, 9 geluTanh, 10 silu,
  ;;  11 abs, 12 sign, 13 square, 14 reciprocal, 15 floor, 16 ceil, 17 round (half to even), 18 erf.
  ;; The op is dispatched once; each has its own loop over four vectors per step (see asm/math.wat).

  ;; Runs `$body` (which sets $y0..$y3 from $x0..$x3) over the 16-float steps from p to end, then returns.
  (@macro unary-loop ($body)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (@lanes 4 (local.set $x# (v128.load offset=#*16 (local.get $p))))
      $body
      (@lanes 4 (v128.store offset=#*16 (local.get $p) (local.get $y#)))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br $next)))
    (return))

  (func (export "unary_f32") (param $op i32) (param $p i32) (param $n i32)
    (local $end i32) (@lanes 4 (local $x# v128) (local $y# v128) (local $t# v128))
    (@math-locals)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $erf (block $round (block $ceil (block $floor (block $reciprocal (block $square (block $sign
    (block $abs (block $silu (block $gelu_tanh (block $gelu (block $relu (block $sigmoid (block $tanh
    (block $rsqrt (block $sqrt (block $log (block $exp (block $neg
      (br_table $neg $exp $log $sqrt $rsqrt $tanh $sigmoid $relu $gelu $gelu_tanh $silu $abs $sign $square
        $reciprocal $floor $ceil $round $erf $erf (local.get $op)))
      (@unary-loop (@lanes 4 (local.set $y# (v128.xor (local.get $x#)
        (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))))
      (@unary-loop (@exp-lanes 4 $x $zero $y)))
      (@unary-loop (@log-lanes 4 $x $y)))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.sqrt (local.get $x#))))))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.sqrt (local.get $x#)))))))
      (@unary-loop (@tanh-lanes 4 $x $y)))
      (@unary-loop (@sigmoid-lanes 4 $x $y)))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.max (local.get $x#) (v128.const f32x4 0 0 0 0))))))
      ;; GELU x·Φ(x)
      (@unary-loop (block
        (@phi $x $y)
        (@lanes 4 (local.set $y# (f32x4.mul (local.get $x#) (local.get $y#)))))))
      ;; GELU, tanh form: 0.5·x·(1 + tanh(u)) = x·sigmoid(2u), u = √(2/π)·(x + 0.044715·x³)
      (@unary-loop (block
        (@lanes 4 (local.set $t# (f32x4.mul (f32x4.mul (local.get $x#)
          (f32x4.relaxed_madd (f32x4.mul (local.get $x#) (local.get $x#))
            (v128.const f32x4 0.044715 0.044715 0.044715 0.044715) (v128.const f32x4 1 1 1 1)))
          (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308))))
        (@sigmoid-lanes 4 $t $y)
        (@lanes 4 (local.set $y# (f32x4.mul (local.get $x#) (local.get $y#)))))))
      ;; SiLU x·sigmoid(x)
      (@unary-loop (block
        (@sigmoid-lanes 4 $x $y)
        (@lanes 4 (local.set $y# (f32x4.mul (local.get $x#) (local.get $y#)))))))
      (@unary-loop (@lanes 4 (local.set $y# (v128.and (local.get $x#)
        (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))))
      ;; sign: 1 / -1, and x itself for 0, -0 and NaN
      (@unary-loop (@lanes 4 (local.set $y# (v128.bitselect (v128.const f32x4 1 1 1 1)
        (v128.bitselect (v128.const f32x4 -1 -1 -1 -1) (local.get $x#)
          (f32x4.lt (local.get $x#) (v128.const f32x4 0 0 0 0)))
        (f32x4.gt (local.get $x#) (v128.const f32x4 0 0 0 0)))))))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.mul (local.get $x#) (local.get $x#))))))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $x#))))))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.floor (local.get $x#))))))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.ceil (local.get $x#))))))
      (@unary-loop (@lanes 4 (local.set $y# (f32x4.nearest (local.get $x#))))))
    (@unary-loop (@erf $x $y $t)))
