  ;; Activation derivatives: dy = dy·f'(x) in place over n floats (n a multiple of 16). Op codes:
  ;; 0 gelu, 1 geluTanh, 2 silu, 3 relu, 4 sigmoid, 5 tanh. The op is dispatched once; each has its own
  ;; loop over four vectors per step (see asm/math.wat).

  ;; Runs `$body` (which sets f'(x) in $f0..$f3 from $x0..$x3) over the 16-float steps, dy *= f', returns.
  (@macro grad-loop ($body)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (@lanes 4 (local.set $x# (v128.load offset=#*16 (local.get $x))))
      $body
      (@lanes 4 (v128.store offset=#*16 (local.get $dy)
        (f32x4.mul (local.get $f#) (v128.load offset=#*16 (local.get $dy)))))
      (local.set $x (i32.add (local.get $x) (i32.const 64)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 64)))
      (br $next)))
    (return))

  (func (export "unary_backward_f32") (param $op i32) (param $x i32) (param $dy i32) (param $n i32)
    (local $end i32) (@lanes 4 (local $x# v128) (local $f# v128) (local $s# v128) (local $t# v128))
    (@math-locals)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $tanh (block $sigmoid (block $relu (block $silu (block $gelu_tanh (block $gelu
      (br_table $gelu $gelu_tanh $silu $relu $sigmoid $tanh $tanh (local.get $op)))
      ;; Φ(x) + x·φ(x)
      (@grad-loop (@gelu-grad $x $f)))
      ;; s + 2x·s(1−s)·c(1 + 3a·x²) with s = sigmoid(2u), u = c(x + a·x³)
      (@grad-loop (block
        (@lanes 4 (local.set $t# (f32x4.mul (local.get $x#) (local.get $x#))))
        (@lanes 4 (local.set $f# (f32x4.mul (f32x4.mul (local.get $x#)
          (f32x4.relaxed_madd (local.get $t#) (v128.const f32x4 0.044715 0.044715 0.044715 0.044715)
            (v128.const f32x4 1 1 1 1)))
          (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308))))
        (@sigmoid-lanes 4 $f $s)
        (@lanes 4 (local.set $f# (f32x4.relaxed_madd
          (f32x4.mul (f32x4.mul (local.get $x#) (local.get $s#))
            (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s#)))
          (f32x4.relaxed_madd (local.get $t#)
            (v128.const f32x4 0.21406444881780076 0.21406444881780076 0.21406444881780076 0.21406444881780076)
            (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308))
          (local.get $s#)))))))
      ;; s·(1 + x·(1 − s))
      (@grad-loop (block
        (@sigmoid-lanes 4 $x $s)
        (@lanes 4 (local.set $f# (f32x4.mul (local.get $s#) (f32x4.relaxed_madd (local.get $x#)
          (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s#)) (v128.const f32x4 1 1 1 1))))))))
      ;; relu: dy where x > 0, else 0 (also for an infinite or NaN dy)
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (@lanes 4 (v128.store offset=#*16 (local.get $dy)
          (v128.and (f32x4.gt (v128.load offset=#*16 (local.get $x)) (v128.const f32x4 0 0 0 0))
            (v128.load offset=#*16 (local.get $dy)))))
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 64)))
        (br $next)))
      (return))
      ;; s·(1 − s)
      (@grad-loop (block
        (@sigmoid-lanes 4 $x $s)
        (@lanes 4 (local.set $f# (f32x4.mul (local.get $s#)
          (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s#))))))))
    ;; 1 − tanh²
    (@grad-loop (block
      (@tanh-lanes 4 $x $s)
      (@lanes 4 (local.set $f# (f32x4.sub (v128.const f32x4 1 1 1 1)
        (f32x4.mul (local.get $s#) (local.get $s#))))))))
